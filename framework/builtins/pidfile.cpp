// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/pidfile.h>

#include "app_p.h"

#include <mortar/app.h>
#include <mortar/emergencycleanup.h>
#include <mortar/extension.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>

#include <cerrno>
#include <climits>
#include <signal.h>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {

[[noreturn]] void fail(const QString &why)
{
    throw std::runtime_error(why.toStdString());
}

/*! Creates \a dir and its missing parents with mode 0700: the pid file's directory is this
    user's business only (as the runtime directory is). */
void makePrivateDirectory(const QString &dir)
{
    if (QFileInfo(dir).isDir())
        return;
    const QString parent = QFileInfo(dir).absolutePath();
    if (parent != dir)
        makePrivateDirectory(parent);
    if (!QDir().mkdir(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)
        && !QFileInfo(dir).isDir()) {
        fail(u"Unable to create the directory %1 for the pid file"_s.arg(dir));
    }
}

/*!
    Holds a QLockFile beside the pid file while checking and writing it, so two instances
    starting together cannot both find no holder and both write. The lock file lives only for
    those few milliseconds; one left by a process that died holding it names a dead process, and
    QLockFile takes it over.
*/
class WriteLock
{
public:
    explicit WriteLock(const QString &pidFilePath) : m_lock(pidFilePath + u".lock"_s)
    {
        if (m_lock.tryLock(5000))
            return;
        qint64 holder = 0;
        QString host, application;
        m_lock.getLockInfo(&holder, &host, &application);
        fail(u"Unable to lock %1.lock to write the pid file: %2"_s.arg(
                pidFilePath,
                m_lock.error() == QLockFile::LockFailedError
                        ? u"process %1 held the lock for 5 s"_s.arg(holder)
                        : u"the lock file cannot be created (permissions?)"_s));
    }

private:
    QLockFile m_lock;
};

void removePidFile(App &app, const QString &path, qint64 ownPid)
{
    // Whatever happens to the file, this process is no longer its holder: the emergency cleanup
    // must not remove a file that may belong to another instance by now.
    EmergencyCleanup::instance().remove(path);
    Internal::AppPrivate::get(app)->pidFilePath.clear();

    const qint64 holder = PidFile::readPid(path);
    if (!QFileInfo::exists(path)) {
        app.log().warning(u"The pid file %1 was removed by someone else"_s.arg(path));
        return;
    }
    if (holder != ownPid) {
        // Someone replaced it (an administrator, or another instance after it was removed):
        // it is theirs now.
        app.log().warning(
                u"Leaving the pid file %1 alone: it names process %2 now, not this one"_s.arg(
                        path, holder ? QString::number(holder) : u"none"_s));
        return;
    }
    QFile file(path);
    if (!file.remove()) // the handler fails: recorded, and exit code rule 1
        fail(u"Unable to remove the pid file %1: %2"_s.arg(path, file.errorString()));
}

void load(App &app)
{
    const QString path = PidFile::configuredPath(app);
    if (path.isEmpty())
        fail(u"Unable to write a pid file: no runtime directory (QStandardPaths::RuntimeLocation)"_s);
    makePrivateDirectory(QFileInfo(path).absolutePath());

    const qint64 ownPid = QCoreApplication::applicationPid();
    {
        const WriteLock lock(path);
        if (QFileInfo::exists(path)) {
            // A file that cannot be read cannot be told stale: never replace it blindly.
            if (QFile file(path); !file.open(QIODevice::ReadOnly))
                fail(u"Unable to read the pid file %1: %2"_s.arg(path, file.errorString()));
            const qint64 holder = PidFile::readPid(path);
            if (holder == ownPid) {
                fail(u"the pid file %1 is held by this process (%2): another App labelled '%3' "
                     u"runs in it"_s.arg(path)
                             .arg(holder)
                             .arg(app.label()));
            }
            if (holder && PidFile::isProcessRunning(holder)) {
                fail(u"the pid file %1 is held by process %2, which is running: is another '%3' "
                     u"running? (If process %2 is not a '%3', remove %1.)"_s.arg(path)
                             .arg(holder)
                             .arg(app.label()));
            }
            app.log().warning(
                    holder ? u"Replacing the stale pid file %1: process %2 is not running"_s
                                     .arg(path)
                                     .arg(holder)
                           : u"Replacing the stale pid file %1: it holds no process id"_s.arg(
                                   path));
        }

        // QSaveFile writes a temporary file beside it and renames it over: atomic, so a reader
        // never sees a half-written pid.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray::number(ownPid) + '\n') < 0
            || !file.commit()) {
            fail(u"Unable to write the pid file %1: %2"_s.arg(path, file.errorString()));
        }
        EmergencyCleanup::instance().add(path);
        Internal::AppPrivate::get(app)->pidFilePath = path;
    }
    app.log().debug(u"Wrote the pid file %1"_s.arg(path));

    // post_close at weight 2000: after the temporary files (1000) and every other cleanup, so
    // while the pid file exists the process may still be cleaning up; a supervisor that waits
    // for it to vanish sees a finished cleanup.
    app.hooks().add(u"post_close"_s,
                    [path, ownPid](App &closingApp) { removePidFile(closingApp, path, ownPid); },
                    {.weight = 2000, .name = u"remove pid file"_s});
}

} // namespace

MORTAR_EXTENSION("mortar.pidfile", load)

QString PidFile::path(const App &app)
{
    return Internal::AppPrivate::get(app)->pidFilePath;
}

QString PidFile::configuredPath(const App &app)
{
    // setup() reads the config files before it loads extensions, so [pidfile] path is known.
    const QString configured = app.config().value(u"pidfile/path"_s).toString();
    if (QDir::isAbsolutePath(configured))
        return QDir::cleanPath(configured);
    const QString runtimeDir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtimeDir.isEmpty())
        return {};
    return QDir::cleanPath(
            QDir(runtimeDir).filePath(configured.isEmpty() ? app.label() + u".pid"_s : configured));
}

qint64 PidFile::readPid(const QString &path)
{
    QFile file(path);
    // A pid file is a line; anything much longer is not one.
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray content = file.read(64);
    bool ok = false;
    const qint64 pid = content.trimmed().toLongLong(&ok);
    return ok && pid > 0 && pid <= INT_MAX ? pid : 0;
}

bool PidFile::isProcessRunning(qint64 pid)
{
    // pid 0 and negative ones would address process groups; anything larger is no pid_t.
    if (pid <= 0 || pid > INT_MAX)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

} // namespace Mortar
