// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "runningapps.h"

#include <mortar/inspectionprotocol.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
bool isSocket(const QString &path)
{
    struct stat status
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &status) == 0 && S_ISSOCK(status.st_mode);
}

/*! <label>-<pid>, the name an App gives its socket; labels are letters, digits, '_' and '-',
    so the pid is what follows the last '-'. */
std::optional<RunningApp> fromSocketName(const QString &path)
{
    static const QRegularExpression name(u"^([A-Za-z0-9_-]+)-([0-9]+)$"_s);
    const QFileInfo info(path);
    const QRegularExpressionMatch match = name.match(info.fileName());
    if (!match.hasMatch())
        return std::nullopt;
    RunningApp app;
    app.label = match.captured(1);
    app.pid = match.captured(2).toLongLong();
    app.socketPath = info.absoluteFilePath();
    app.listeningSince = info.lastModified();
    app.hasTokenFile = QFileInfo::exists(InspectionProtocol::tokenPath(app.socketPath));
    return app;
}
} // namespace

QString RunningApps::defaultDirectory()
{
    return InspectionProtocol::socketDirectory();
}

bool RunningApps::isAlive(qint64 pid)
{
    // Signal 0 checks without sending; EPERM means it exists but belongs to someone else.
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

RunningApps RunningApps::find(const QString &directory)
{
    RunningApps found;
    found.m_directory = directory;
    const QDir dir(directory);
    for (const QString &entry : dir.entryList(QDir::System | QDir::Files, QDir::Name)) {
        const QString path = dir.filePath(entry);
        if (!isSocket(path))
            continue; // the .token files, and anything else that is not an app's socket
        const std::optional<RunningApp> app = fromSocketName(path);
        if (!app)
            continue;
        if (isAlive(app->pid))
            found.m_apps.append(*app);
        else
            found.m_stale.append(app->socketPath);
    }
    std::sort(found.m_apps.begin(), found.m_apps.end(),
              [](const RunningApp &a, const RunningApp &b) {
                  return a.label != b.label ? a.label < b.label : a.pid < b.pid;
              });
    return found;
}

std::optional<RunningApp> RunningApps::resolve(const QString &pidOrSocket, QString *error) const
{
    bool isPid = false;
    const qint64 pid = pidOrSocket.toLongLong(&isPid);
    if (isPid) {
        QList<RunningApp> matches;
        std::copy_if(m_apps.cbegin(), m_apps.cend(), std::back_inserter(matches),
                     [pid](const RunningApp &app) { return app.pid == pid; });
        if (matches.size() == 1)
            return matches.first();
        if (matches.size() > 1) {
            QStringList sockets;
            for (const RunningApp &app : matches)
                sockets.append(app.socketPath);
            *error = u"Process %1 runs several Mortar apps; name one by its socket: %2"_s.arg(
                    pidOrSocket, sockets.join(u", "_s));
            return std::nullopt;
        }
        *error = isAlive(pid)
                ? u"Process %1 is not a Mortar app listening for inspectors in %2 (was it started "
                  u"with MORTAR_INSPECT=1 or --inspect?)"_s.arg(pidOrSocket, m_directory)
                : u"No process %1 is running"_s.arg(pidOrSocket);
        return std::nullopt;
    }

    if (!isSocket(pidOrSocket)) {
        *error = QFileInfo::exists(pidOrSocket) ? u"%1 is not a socket"_s.arg(pidOrSocket)
                                                : u"No socket %1"_s.arg(pidOrSocket);
        return std::nullopt;
    }
    std::optional<RunningApp> app = fromSocketName(pidOrSocket);
    if (!app) { // not named <label>-<pid>: let the connection tell
        app = RunningApp{};
        app->socketPath = QFileInfo(pidOrSocket).absoluteFilePath();
        app->hasTokenFile = QFileInfo::exists(app->socketPath + u".token"_s);
        return app;
    }
    if (!isAlive(app->pid)) {
        *error = u"%1 is stale: the app that made it (pid %2) has ended"_s.arg(pidOrSocket)
                         .arg(app->pid);
        return std::nullopt;
    }
    return app;
}

} // namespace Mortar::Inspector
