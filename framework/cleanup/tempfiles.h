// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/result.h>

#include <QString>
#include <QStringList>

#include <memory>

namespace Mortar {

namespace Internal {
class TempFilesPrivate;
} // namespace Internal

/*!
    \brief Temporary files and directories that the App removes when it closes
    (\c{app.tempFiles()}, the \c mortar.tempfiles extension).

    Everything created or adopted here is removed in the close's \c post_close hook (weight
    1000), after every \c pre_close handler — asynchronous ones included — finished with it. Each
    path is also registered with the emergency cleanup (\c{app.emergencyCleanup()}), so it is
    removed too when the process ends abnormally (watchdog, second signal, crash); a path removed
    normally is unregistered. That registry holds EmergencyCleanup::MaxPaths paths per process:
    many temporary files are better kept in one createDir() directory. A path that cannot be
    removed is reported: the handler fails, so the exit code becomes 1 unless another code was
    set.

    The first call of App::tempFiles() loads \c mortar.tempfiles if it is not loaded yet
    (recorded in the trace as an implicit load), so listing it in AppOptions::extensions is
    optional.

    Thread-safe. Paths are absolute. Files are created empty with mode 0600, directories with
    mode 0700, under a unique name (QTemporaryFile, QTemporaryDir), and nothing is kept open.
*/
class MORTAR_EXPORT TempFiles final
{
public:
    ~TempFiles();
    TempFiles(const TempFiles &) = delete;
    TempFiles &operator=(const TempFiles &) = delete;

    /*!
        Creates an empty file and returns its absolute path; on failure an empty string (see
        errorString()). \a templateName is as QTemporaryFile's: its \c XXXXXX part becomes
        unique (\c .XXXXXX is appended if it has none); a relative one is relative to the
        temporary directory (QDir::tempPath()), not to the current directory. Default:
        \c{<label>-XXXXXX}.
    */
    QString createFile(const QString &templateName = {});
    /*! Like createFile(), for a directory (QTemporaryDir); removed with its contents. */
    QString createDir(const QString &templateName = {});
    /*!
        Removes \a path (a file, or a directory with its contents) at close too. It need not
        exist yet. Returns false, with errorString(), for an empty path and for paths whose
        removal could only be a mistake: \c /, the home directory, the temporary directory
        itself. Adopting a path twice keeps it once.
    */
    bool adopt(const QString &path);
    /*! Removes \a path now (not at close). False with errorString() if it is not one of
        paths() or cannot be removed (it is then still removed at close). */
    bool remove(const QString &path);
    /*! Stops managing \a path without removing it: it outlives the App. */
    bool release(const QString &path);
    /*! The paths removed at close, in the order they were added. */
    QStringList paths() const;
    /*! Removes every path now, the last added first (a file created inside a created
        directory goes before it); what the close does. Paths that are already gone count as
        removed. Fails, naming each path that is left, if any cannot be removed. */
    Result removeAll();

    /*! Why the last call that failed failed. */
    QString errorString() const;

private:
    friend class Internal::TempFilesPrivate;
    explicit TempFiles(const QString &label);
    std::unique_ptr<Internal::TempFilesPrivate> const d;
};

} // namespace Mortar
