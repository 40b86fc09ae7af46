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
#include <QScopeGuard>
#include <QStandardPaths>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*! The path exists as a directory entry (a dangling symbolic link does too). */
bool entryExists(const QString &path, struct stat *status = nullptr)
{
    struct stat local = {};
    return ::lstat(QFile::encodeName(path).constData(), status ? status : &local) == 0;
}

bool isSymbolicLink(const QString &path)
{
    struct stat status = {};
    return entryExists(path, &status) && S_ISLNK(status.st_mode);
}

[[noreturn]] void failSymbolicLink(const QString &path)
{
    fail(u"the pid file %1 is a symbolic link: refusing to follow or replace it (a link in a "
         u"shared directory could make this process overwrite another file); remove it, or "
         u"configure another path"_s.arg(path));
}

/*!
    Writes \a content to \a path atomically: a new file beside it (O_EXCL, so never through a
    link), renamed over the path — rename(2) replaces a directory entry, it follows no link.
*/
void writeAtomically(const QString &path, const QByteArray &content)
{
    QByteArray temporary = QFile::encodeName(path) + ".XXXXXX";
    const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0) {
        fail(u"Unable to write the pid file %1: %2"_s.arg(
                path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    const bool written = ::fchmod(fd, 0644) == 0
            && ::write(fd, content.constData(), size_t(content.size())) == content.size();
    const int writeError = errno;
    ::close(fd);
    if (!written || ::rename(temporary.constData(), QFile::encodeName(path).constData()) != 0) {
        const int error = written ? errno : writeError;
        ::unlink(temporary.constData());
        fail(u"Unable to write the pid file %1: %2"_s.arg(
                path, QString::fromLocal8Bit(std::strerror(error))));
    }
}

void removePidFile(App &app, const QString &path, qint64 ownPid)
{
    Internal::AppPrivate::get(app)->pidFilePath.clear();
    // Unregistered from the emergency cleanup only once the file is gone: a forced end (the
    // watchdog) in the middle of this still removes it. When the file is not ours any more, at
    // once: the emergency cleanup must not remove another instance's file.
    const auto unregister = qScopeGuard([&] { EmergencyCleanup::instance().remove(path); });

    const qint64 holder = PidFile::readPid(path);
    if (!entryExists(path)) {
        app.log().warning(u"The pid file %1 was removed by someone else"_s.arg(path));
        return;
    }
    if (holder != ownPid || isSymbolicLink(path)) {
        // Someone replaced it (an administrator, or another instance after it was removed):
        // it is theirs now.
        app.log().warning(
                u"Leaving the pid file %1 alone: it names process %2 now, not this one"_s.arg(
                        path, holder ? QString::number(holder) : u"none"_s));
        return;
    }
    if (::unlink(QFile::encodeName(path).constData()) != 0 && errno != ENOENT) {
        // The handler fails: recorded, and exit code rule 1.
        fail(u"Unable to remove the pid file %1: %2"_s.arg(
                path, QString::fromLocal8Bit(std::strerror(errno))));
    }
}

void load(App &app)
{
    const QString path = PidFile::configuredPath(app);
    if (path.isEmpty())
        fail(u"Unable to write a pid file: no runtime directory (QStandardPaths::RuntimeLocation)"_s);
    makePrivateDirectory(QFileInfo(path).absolutePath());

    const qint64 ownPid = QCoreApplication::applicationPid();
    // Never followed, never replaced (spec §6.1): checked before the lock, and again under it.
    if (isSymbolicLink(path))
        failSymbolicLink(path);
    {
        const WriteLock lock(path);
        if (isSymbolicLink(path))
            failSymbolicLink(path);
        if (entryExists(path)) {
            // A file that cannot be read cannot be told stale: never replace it blindly.
            const int fd = ::open(QFile::encodeName(path).constData(),
                                  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            if (fd < 0) {
                fail(u"Unable to read the pid file %1: %2"_s.arg(
                        path, QString::fromLocal8Bit(std::strerror(errno))));
            }
            struct stat status = {};
            const bool regular = ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
            ::close(fd);
            if (!regular)
                fail(u"Unable to read the pid file %1: it is not a regular file"_s.arg(path));
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

        // Atomic, so a reader never sees a half-written pid. (Not QSaveFile: it writes through a
        // symbolic link to its target.)
        // Registered first: a forced end right after the write still removes the file (here
        // the file is absent or stale, so removing it is right either way).
        EmergencyCleanup::instance().add(path);
        auto unregister = qScopeGuard([&] { EmergencyCleanup::instance().remove(path); });
        writeAtomically(path, QByteArray::number(ownPid) + '\n');
        unregister.dismiss();
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
    // Not through a symbolic link (spec §6.1); non-blocking, should someone put a FIFO there.
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    // A pid file is a line; anything much longer is not one.
    char buffer[64];
    const ssize_t read = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    if (read <= 0)
        return 0;
    const QByteArray content(buffer, read);
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
