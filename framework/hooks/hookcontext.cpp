// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/hookcontext.h>

#include "hookregistry_p.h"
#include "trace_p.h"

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {
void DeferralState::settle(int outcome, const QString &why)
{
    int expected = Pending;
    if (!status.compare_exchange_strong(expected, Settling))
        return;
    error = why;
    settledAt = std::chrono::steady_clock::now();
    status.store(outcome, std::memory_order_release);
    if (waker)
        waker->wake();
}
} // namespace Internal

Deferral::Deferral() = default;
Deferral::Deferral(std::shared_ptr<Internal::DeferralState> state) : m_state(std::move(state)) { }
Deferral::Deferral(Deferral &&other) noexcept = default;

Deferral &Deferral::operator=(Deferral &&other) noexcept
{
    if (this != &other) {
        if (m_state) // the deferral being replaced is abandoned, like a destroyed one
            m_state->settle(Internal::DeferralState::Failed,
                            u"deferral abandoned: replaced without complete() or fail()"_s);
        m_state = std::move(other.m_state);
    }
    return *this;
}

Deferral::~Deferral()
{
    if (m_state)
        m_state->settle(Internal::DeferralState::Failed,
                        u"deferral abandoned: destroyed without complete() or fail()"_s);
}

void Deferral::complete()
{
    if (m_state)
        m_state->settle(Internal::DeferralState::Completed, {});
}

void Deferral::fail(const QString &why)
{
    if (m_state)
        m_state->settle(Internal::DeferralState::Failed, why.isEmpty() ? u"failed"_s : why);
}

bool Deferral::isPending() const
{
    return m_state && !m_state->isSettled();
}

App &HookContext::app() const
{
    return *m_run->app;
}

QString HookContext::hook() const
{
    return m_run->hook;
}

const QVariantList &HookContext::arguments() const
{
    return m_run->arguments;
}

void HookContext::setValue(const QVariant &value)
{
    m_slot->value = value;
}

Deferral HookContext::defer()
{
    auto state = std::make_shared<Internal::DeferralState>();
    state->waker = m_run->waker;
    m_slot->deferrals.push_back(state);
    if (m_run->trace->isEnabled()) {
        TraceEvent event;
        event.kind = u"deferral.begin"_s;
        event.hook = m_run->hook;
        if (m_slot->entry)
            event.handler = m_slot->entry->info.name();
        m_run->trace->record(std::move(event));
    }
    return Deferral(std::move(state));
}

void HookContext::preventDefault()
{
    m_run->defaultPrevented.store(true);
}

bool HookContext::isDefaultPrevented() const
{
    return m_run->defaultPrevented.load();
}

QDeadlineTimer HookContext::deadline() const
{
    return m_run->closeDeadline;
}

} // namespace Mortar
