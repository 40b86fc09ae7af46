// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace Mortar::Internal {

/*!
    The close's watchdog (spec §4.6): a thread that only sleeps until the close deadline. If
    stop() is not called by then, it calls the expiry function — which ends the process — in its
    own thread, so a hung handler in the App's thread cannot stop it. The thread blocks every
    signal, so a signal handler never interrupts the forced exit it performs.
*/
class Watchdog final
{
public:
    Watchdog() = default;
    ~Watchdog() { stop(); }
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

    /*! A budget too large to add to the clock (e.g. milliseconds::max()): no deadline. */
    static bool isUnbounded(std::chrono::milliseconds budget);

    /*! Arms the watchdog: \a onExpiry runs after \a budget unless stop() comes first. An
        unbounded budget arms nothing. */
    void start(std::chrono::milliseconds budget, std::function<void()> onExpiry);
    /*! Disarms it and waits for its thread. */
    void stop();
    bool isRunning() const { return m_thread.joinable(); }

private:
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false; // m_mutex
};

} // namespace Mortar::Internal
