// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "blackboxfile_p.h"

#include "asyncsafe_p.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Mortar::Internal {

namespace {
std::atomic<BlackBoxFile *> g_current{nullptr};
} // namespace

BlackBoxFile::~BlackBoxFile()
{
    close();
}

BlackBoxFile *BlackBoxFile::current() noexcept
{
    return g_current.load(std::memory_order_acquire);
}

bool BlackBoxFile::open(const QString &path, qint64 originNs, QString *error)
{
    close();
    const QByteArray native = path.toLocal8Bit();
    // Never through a symbolic link: the state directory may be shared, the file is ours.
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                          S_IRUSR | S_IWUSR);
    if (fd < 0) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    ::fchmod(fd, S_IRUSR | S_IWUSR); // an older file keeps its mode through O_TRUNC
    m_originNs = originNs;
    m_fd.store(fd, std::memory_order_release);
    g_current.store(this, std::memory_order_release);
    return true;
}

bool BlackBoxFile::lock(bool wait) noexcept
{
    for (int attempt = 0; attempt < 2000; ++attempt) {
        if (!m_lock.exchange(true, std::memory_order_acquire))
            return true;
        if (!wait)
            return false;
        const timespec pause{0, 100'000};
        ::nanosleep(&pause, nullptr);
    }
    return false;
}

void BlackBoxFile::append(const QByteArray &line, qint64 seq)
{
    if (!isOpen() || !lock(true))
        return;
    m_buffer.append(line);
    m_bufferedBytes.store(m_buffer.size(), std::memory_order_relaxed);
    // Lines of two threads may come out of seq order: the final line follows the latest.
    if (seq + 1 > m_nextSeq.load(std::memory_order_relaxed))
        m_nextSeq.store(seq + 1, std::memory_order_relaxed);
    unlock();
}

bool BlackBoxFile::flush()
{
    const int fd = m_fd.load(std::memory_order_acquire);
    if (fd < 0 || !lock(true))
        return fd < 0;
    bool ok = true;
    const char *data = m_buffer.constData();
    size_t left = size_t(m_buffer.size());
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            ok = false;
            break;
        }
        data += written;
        left -= size_t(written);
    }
    m_buffer.clear();
    m_bufferedBytes.store(0, std::memory_order_relaxed);
    unlock();
    if (!ok)
        close();
    return ok;
}

void BlackBoxFile::close()
{
    BlackBoxFile *expected = this;
    g_current.compare_exchange_strong(expected, nullptr);
    if (m_fd.load() < 0)
        return;
    flush();
    const int fd = m_fd.exchange(-1);
    if (fd >= 0)
        ::close(fd);
}

void BlackBoxFile::writeFinal(const SafeLine &fields, bool waitForBuffer) noexcept
{
    const int fd = m_fd.load(std::memory_order_acquire);
    if (fd < 0)
        return;
    // Whoever holds the buffer was interrupted mid-change (this very thread, in a signal
    // handler): then it is not to be trusted, and only the final line is written.
    if (lock(waitForBuffer)) {
        if (!m_buffer.isEmpty())
            writeAll(fd, m_buffer.constData(), size_t(m_buffer.size()));
        // Left as it is (clearing it is not async-signal-safe): the process ends now.
    }
    writeFinalLine(fd, m_nextSeq.load(std::memory_order_relaxed), monotonicNs() - m_originNs,
                   fields);
}

} // namespace Mortar::Internal
