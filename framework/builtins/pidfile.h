// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QString>

namespace Mortar {

class App;

/*!
    \brief The pid file of the \c mortar.pidfile extension, and the checks it makes.

    Loaded (\c{AppOptions::extensions = {u"mortar.pidfile"_s}}), the extension writes the
    process id, one line, to the pid file during setup() — atomically, with QSaveFile, so a
    reader never sees a partial file — and registers it with the emergency cleanup. If the file
    names a process that is running, setup() fails with exit code 78 and a message naming the
    file and that process: another instance holds it. A stale file (its process is gone, or it
    holds no process id) is replaced, with a warning in the log. The close removes the file in
    \c post_close (weight 2000, after the temporary files), only if it still names this process.

    Where: \c{AppOptions::configDefaults["pidfile/path"]} (config \c{[pidfile] path} once config
    files are read), a relative path being relative to the runtime directory; by default
    \c{<runtime dir>/<label>.pid} (QStandardPaths::RuntimeLocation). Missing directories are
    created with mode 0700.

    Two instances starting at the same moment cannot both win: each holds a QLockFile
    (\c{<pid file>.lock}) while it checks and writes the pid file.

    Process ids are reused: a stale file whose process id now belongs to an unrelated running
    process is taken for a live holder. The message says to remove the file then.
*/
class MORTAR_EXPORT PidFile final
{
public:
    PidFile() = delete;

    /*! The pid file \a app holds, or an empty string if it holds none (\c mortar.pidfile not
        loaded, its setup failed, or the close removed the file). */
    static QString path(const App &app);
    /*! Where \c mortar.pidfile writes the pid file of \a app; see the class description. */
    static QString configuredPath(const App &app);
    /*! The process id a pid file holds; 0 if the file is missing, unreadable, or holds anything
        but a positive process id (and a newline). */
    static qint64 readPid(const QString &path);
    /*! Whether process \a pid exists: kill(pid, 0) succeeds, or fails only for lack of
        permission (the process belongs to another user). */
    static bool isProcessRunning(qint64 pid);
};

} // namespace Mortar
