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
    if (wait)
        wait->release(outcome == Failed, why);
    if (waker)
        waker->wake();
}

void HandlerWait::release(bool failedNow, const QString &why)
{
    if (failedNow) {
        QMutexLocker locker(&mutex);
        if (!failed) {
            failed = true;
            error = why;
        }
    }
    if (open.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    int expected = Waiting;
    if (!state.compare_exchange_strong(expected, Recording))
        return; // timed out or dropped already: its level has moved on
    {
        QMutexLocker locker(&mutex);
        status = failed ? HandlerResult::Status::Failed : HandlerResult::Status::Ok;
    }
    durationNs = (Clock::now() - startedAt) / std::chrono::nanoseconds(1);
    if (traced)
        recordEnd();
    state.store(Settled, std::memory_order_release);
    if (waker)
        waker->wake();
}

bool HandlerWait::claim(int newState)
{
    int expected = Waiting;
    if (!state.compare_exchange_strong(expected, Recording))
        return false;
    {
        // Deferrals still open may settle meanwhile: from now on they leave the error alone.
        QMutexLocker locker(&mutex);
        failed = true;
        if (newState == TimedOut)
            error = u"did not finish within %1 ms"_s.arg(timeout.count());
    }
    if (newState == TimedOut) {
        status = HandlerResult::Status::TimedOut;
        durationNs = (Clock::now() - startedAt) / std::chrono::nanoseconds(1);
        if (traced)
            recordEnd();
    }
    state.store(newState, std::memory_order_release);
    return true;
}

void HandlerWait::recordEnd()
{
    TraceEvent event = handlerEvent(u"deferral.end"_s, info);
    event.status = HandlerResult::statusName(status);
    if (status != HandlerResult::Status::Ok)
        event.error = error;
    event.durationNs = durationNs;
    trace->record(std::move(event));
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
    if (!m_slot->wait && m_slot->entry) {
        auto wait = std::make_shared<Internal::HandlerWait>();
        wait->info = m_slot->entry->info();
        wait->trace = m_run->trace;
        wait->traced = m_run->trace->isEnabled();
        // An untraced run does not time its handlers: then the work is timed from here.
        wait->startedAt = m_slot->startedAt == std::chrono::steady_clock::time_point()
                ? std::chrono::steady_clock::now()
                : m_slot->startedAt;
        wait->timeout = m_slot->timeout;
        wait->deadline = wait->startedAt + m_slot->timeout;
        wait->waker = m_run->waker;
        m_slot->wait = std::move(wait);
    }
    if (m_slot->wait) {
        m_slot->wait->open.fetch_add(1, std::memory_order_relaxed);
        state->wait = m_slot->wait;
    }
    m_slot->deferrals.push_back(state);
    if (m_run->trace->isEnabled()) {
        TraceEvent event;
        event.kind = u"deferral.begin"_s;
        event.hook = m_run->hook;
        if (m_slot->entry)
            event.handler = m_slot->entry->labels->name;
        m_run->trace->record(std::move(event));
    }
    return Deferral(std::move(state));
}

void HookContext::preventDefault()
{
    if (m_slot->entry) {
        QMutexLocker locker(&m_run->preventedByMutex);
        if (m_run->preventedBy.isEmpty())
            m_run->preventedBy = m_slot->entry->labels->name;
    }
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
