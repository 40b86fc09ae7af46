// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QString>
#include <QStringList>

namespace Mortar {

/*!
    \brief Paths removed even when the process ends abnormally (spec §6.2).

    A process-wide registry of files and directories that must not outlive the process: a pid
    file, temporary files, a socket. When the process is ended by the watchdog, by a second
    terminating signal during the close, or by a crash signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
    SIGABRT), run() removes them — from inside a signal handler, with async-signal-safe system
    calls only. A directory is removed with its contents (recursively, up to 16 levels deep);
    symbolic links are removed, never followed.

    The orderly close does not use this registry: whoever added a path removes the file in its
    \c pre_close / \c post_close handler and calls remove(). The registry is only the safety net.

    Paths are stored, made absolute, in preallocated storage (MaxPaths paths of up to PATH_MAX
    bytes each), so registering never allocates where a signal handler could look, and a signal
    handler never waits for a lock. add() and remove() are thread-safe.
    \code
    app.emergencyCleanup().add(socketPath);
    // … at the orderly close:
    QFile::remove(socketPath);
    app.emergencyCleanup().remove(socketPath);
    \endcode
*/
class MORTAR_EXPORT EmergencyCleanup final
{
public:
    /*! How many paths can be registered at once. */
    static constexpr int MaxPaths = 128;

    static EmergencyCleanup &instance();

    /*! Registers \a path (a file or a directory; made absolute against the current directory
        now, since a signal handler cannot rely on it later). Registering a path twice is a
        no-op that returns true. Returns false, with a warning, if the path is empty, longer than
        PATH_MAX, or MaxPaths paths are registered already. */
    bool add(const QString &path);
    /*! Unregisters \a path; false if it was not registered. Does not touch the file. */
    bool remove(const QString &path);
    /*! The registered paths, absolute. */
    QStringList paths() const;

    /*!
        Removes every registered path now and unregisters it. Async-signal-safe: it calls only
        unlink(2), rmdir(2), open(2)/openat(2), getdents64(2) (through syscall(2)), unlinkat(2),
        lseek(2) and close(2), and takes no lock (each path is claimed with an atomic
        compare-and-swap, so concurrent calls remove each path once). Mortar calls it before a
        forced exit; applications may call it from their own fatal-signal handlers.
    */
    static void run() noexcept;

private:
    EmergencyCleanup() = default;
};

} // namespace Mortar
