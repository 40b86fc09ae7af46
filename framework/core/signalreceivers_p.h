// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <QMetaMethod>

#include <atomic>

namespace Mortar::Internal {

/*!
    Counts the connections to one signal of an object, fed by its connectNotify() and
    disconnectNotify(), so that "nobody listens" — the common answer on a hot path — costs one
    load. disconnectNotify() is not called for connections that end with their receiver, so the
    count may stay above the truth: mayHaveReceivers() true is then confirmed with Qt's lock-free
    QObject::isSignalConnected(). (Counting with QObject::receivers() instead would take the
    signal-slot lock that Qt may already hold there: a deadlock, seen when a receiver died.)
*/
class SignalReceivers
{
public:
    explicit SignalReceivers(const QMetaMethod &signal) : m_signal(signal) { }

    const QMetaMethod &signal() const { return m_signal; }
    bool mayHaveReceivers() const { return m_count.load(std::memory_order_relaxed) > 0; }
    void connected(const QMetaMethod &signal)
    {
        if (signal == m_signal)
            m_count.fetch_add(1, std::memory_order_relaxed);
    }
    void disconnected(const QMetaMethod &signal)
    {
        if (signal == m_signal && m_count.load(std::memory_order_relaxed) > 0)
            m_count.fetch_sub(1, std::memory_order_relaxed);
    }

private:
    const QMetaMethod m_signal;
    std::atomic<int> m_count{0};
};

} // namespace Mortar::Internal
