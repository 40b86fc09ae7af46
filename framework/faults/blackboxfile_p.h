// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The file of the black box (spec §15): lines buffered in memory, written at the flush points,
// and one final line that the forced-exit report (reportForcedEnd) can add from a signal
// handler or the watchdog's thread, with async-signal-safe calls only.

#include <QByteArray>
#include <QString>

#include <atomic>

namespace Mortar::Internal {

class SafeLine;

class BlackBoxFile
{
public:
    BlackBoxFile() = default;
    ~BlackBoxFile();
    BlackBoxFile(const BlackBoxFile &) = delete;
    BlackBoxFile &operator=(const BlackBoxFile &) = delete;

    /*! Creates (truncates) \a path, mode 0600, without following a symbolic link, and makes this
        the file the forced-exit report writes to. \a originNs: the monotonic time the trace's
        \c t counts from, for the final line. */
    bool open(const QString &path, qint64 originNs, QString *error);
    bool isOpen() const { return m_fd.load(std::memory_order_relaxed) >= 0; }
    /*! Buffers one line (with its newline); \a seq is the event's, so the final line follows it.
        Thread-safe. */
    void append(const QByteArray &line, qint64 seq);
    /*! Writes what is buffered; false if the write failed (the file is closed then). */
    bool flush();
    qsizetype buffered() const { return m_bufferedBytes.load(std::memory_order_relaxed); }
    /*! Flushes and closes; the forced-exit report no longer writes here. */
    void close();

    /*! The final \c process.* line of a forced end: what is buffered, then \a fields (JSON members
        without braces) with a \c seq and \c t. Async-signal-safe; \a waitForBuffer lets it wait
        briefly for another thread that holds the buffer. */
    void writeFinal(const SafeLine &fields, bool waitForBuffer) noexcept;

    /*! The open black box of the process, if any (at most one: the most recently opened). */
    static BlackBoxFile *current() noexcept;

private:
    bool lock(bool wait) noexcept;
    void unlock() noexcept { m_lock.store(false, std::memory_order_release); }

    std::atomic<int> m_fd{-1};
    std::atomic<bool> m_lock{false};
    QByteArray m_buffer;
    std::atomic<qsizetype> m_bufferedBytes{0};
    std::atomic<qint64> m_nextSeq{0};
    qint64 m_originNs = 0;
};

} // namespace Mortar::Internal
