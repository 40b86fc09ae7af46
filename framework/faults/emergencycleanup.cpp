// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/emergencycleanup.h>

#include "loggingcategories_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace Mortar {

namespace {

/*!
    One registered path. The state tells who may touch the bytes: add() writes them only in a
    slot it moved from Free to Writing; run() reads them only in a slot it moved from Used to
    Removing. So a signal handler never reads a path being written, and needs no lock.
*/
struct Slot
{
    enum : int { Free, Writing, Used, Removing };
    std::atomic<int> state{Free};
    char path[PATH_MAX] = {};
};

// Static storage, constant-initialized: usable from a signal handler at any time, even before
// (or after) any object of this file was constructed.
Slot g_slots[EmergencyCleanup::MaxPaths];

// Serializes add() and remove() with each other (so a path is registered once); run() never
// takes it.
QMutex g_writers;

constexpr int MaxDepth = 16;

// getdents64(2) fills this layout; glibc has no declaration of it.
struct LinuxDirent64
{
    quint64 d_ino;
    qint64 d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[1];
};

bool isDotOrDotDot(const char *name)
{
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/*! Empties the directory open as \a directoryFd. Async-signal-safe; bounded recursion. */
void clearDirectory(int directoryFd, int depth) noexcept
{
    alignas(8) char buffer[2048];
    // Entries removed while reading may make the kernel skip some: read again from the start
    // until a pass finds nothing left (or nothing it can remove).
    for (int pass = 0; pass < 8; ++pass) {
        if (::lseek(directoryFd, 0, SEEK_SET) < 0)
            return;
        bool found = false;
        for (;;) {
            const long read = ::syscall(SYS_getdents64, directoryFd, buffer, sizeof buffer);
            if (read <= 0)
                break;
            for (long offset = 0; offset < read;) {
                const auto *entry = reinterpret_cast<const LinuxDirent64 *>(buffer + offset);
                offset += entry->d_reclen;
                const char *name = entry->d_name;
                if (isDotOrDotDot(name))
                    continue;
                found = true;
                if (::unlinkat(directoryFd, name, 0) == 0 || errno == ENOENT)
                    continue;
                if (errno != EISDIR && errno != EPERM)
                    continue;
                if (depth + 1 < MaxDepth) {
                    const int sub = ::openat(directoryFd, name,
                                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                    if (sub >= 0) {
                        clearDirectory(sub, depth + 1);
                        ::close(sub);
                    }
                }
                ::unlinkat(directoryFd, name, AT_REMOVEDIR);
            }
        }
        if (!found)
            return;
    }
}

/*! Removes a file, a symbolic link, or a directory with its contents. Async-signal-safe. */
void removePath(const char *path) noexcept
{
    if (::unlink(path) == 0 || errno == ENOENT)
        return;
    // Linux says EISDIR for a directory; POSIX allows EPERM.
    if (errno != EISDIR && errno != EPERM)
        return;
    const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    clearDirectory(fd, 0);
    ::close(fd);
    ::rmdir(path);
}

QByteArray encodedAbsolute(const QString &path)
{
    if (path.isEmpty())
        return {};
    return QFile::encodeName(QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
}

} // namespace

EmergencyCleanup &EmergencyCleanup::instance()
{
    static EmergencyCleanup cleanup;
    return cleanup;
}

bool EmergencyCleanup::add(const QString &path)
{
    const QByteArray encoded = encodedAbsolute(path);
    if (encoded.isEmpty()) {
        qCWarning(Internal::lcApp, "Unable to register an empty path for emergency cleanup");
        return false;
    }
    if (encoded.size() >= PATH_MAX) {
        qCWarning(Internal::lcApp,
                  "Unable to register %s for emergency cleanup: the path is longer than %d bytes",
                  encoded.constData(), PATH_MAX - 1);
        return false;
    }
    QMutexLocker locker(&g_writers);
    Slot *free = nullptr;
    for (Slot &slot : g_slots) {
        const int state = slot.state.load(std::memory_order_acquire);
        if (state == Slot::Used && std::strcmp(slot.path, encoded.constData()) == 0)
            return true;
        if (state == Slot::Free && !free)
            free = &slot;
    }
    int expected = Slot::Free;
    if (!free
        || !free->state.compare_exchange_strong(expected, Slot::Writing,
                                                std::memory_order_acquire)) {
        qCWarning(Internal::lcApp,
                  "Unable to register %s for emergency cleanup: %d paths are registered "
                  "already, the most it holds",
                  encoded.constData(), MaxPaths);
        return false;
    }
    std::memcpy(free->path, encoded.constData(), size_t(encoded.size()) + 1);
    free->state.store(Slot::Used, std::memory_order_release);
    return true;
}

bool EmergencyCleanup::remove(const QString &path)
{
    const QByteArray encoded = encodedAbsolute(path);
    if (encoded.isEmpty() || encoded.size() >= PATH_MAX)
        return false;
    QMutexLocker locker(&g_writers);
    for (Slot &slot : g_slots) {
        if (slot.state.load(std::memory_order_acquire) != Slot::Used
            || std::strcmp(slot.path, encoded.constData()) != 0)
            continue;
        int expected = Slot::Used;
        // Fails only if run() is removing it right now: then it is gone either way.
        slot.state.compare_exchange_strong(expected, Slot::Free, std::memory_order_acq_rel);
        return true;
    }
    return false;
}

QStringList EmergencyCleanup::paths() const
{
    QMutexLocker locker(&g_writers);
    QStringList paths;
    for (const Slot &slot : g_slots) {
        if (slot.state.load(std::memory_order_acquire) == Slot::Used)
            paths.append(QFile::decodeName(slot.path));
    }
    return paths;
}

void EmergencyCleanup::run() noexcept
{
    const int savedErrno = errno; // a signal handler must leave errno as it found it
    for (Slot &slot : g_slots) {
        int expected = Slot::Used;
        if (!slot.state.compare_exchange_strong(expected, Slot::Removing,
                                                std::memory_order_acquire))
            continue;
        removePath(slot.path);
        slot.state.store(Slot::Free, std::memory_order_release);
    }
    errno = savedErrno;
}

} // namespace Mortar
