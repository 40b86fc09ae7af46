// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "watchdog_p.h"

#include <csignal>

#include <pthread.h>

namespace Mortar::Internal {

bool Watchdog::isUnbounded(std::chrono::milliseconds budget)
{
    using namespace std::chrono;
    // now + budget in steady_clock's nanoseconds must not overflow (it would wrap into the
    // past: an immediate expiry). Also QDeadlineTimer counts in qint64 nanoseconds.
    const auto headroom = steady_clock::time_point::max() - steady_clock::now();
    return budget.count() < 0 || budget >= duration_cast<milliseconds>(headroom) / 2;
}

void Watchdog::start(std::chrono::milliseconds budget, std::function<void()> onExpiry)
{
    stop();
    if (isUnbounded(budget))
        return;
    const auto deadline = std::chrono::steady_clock::now() + budget;
    m_thread = std::thread([this, deadline, onExpiry = std::move(onExpiry)] {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        pthread_setname_np(pthread_self(), "mortar-watchdog");
        std::unique_lock locker(m_mutex);
        if (m_wake.wait_until(locker, deadline, [this] { return m_stopping; }))
            return;
        locker.unlock();
        onExpiry();
    });
}

void Watchdog::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard locker(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    m_stopping = false;
}

} // namespace Mortar::Internal
