// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Mortar::Inspector {

/*! A Mortar app of this user with its inspection server on (docs/inspection-protocol.md). */
struct RunningApp
{
    QString label;
    qint64 pid = 0;
    QString socketPath;
    QDateTime listeningSince; //!< when its socket was made: about when the app was set up
    /*! Whether <socket>.token is beside it. An app started by `mortar-inspector --launch` has
        none: its token went to that inspector only, so nobody else can attach. */
    bool hasTokenFile = false;

    friend bool operator==(const RunningApp &, const RunningApp &) = default;
};

/*!
    \brief The running Mortar apps found in a runtime directory (SPEC 10.2's list mode).

    Every app listens on <runtime dir>/mortar/<label>-<pid>. A socket whose process is gone (the
    app was killed, or crashed before it could remove it) is stale: it is skipped and listed in
    staleSockets(), never connected to and never removed — it is not the inspector's file.
*/
class RunningApps final
{
public:
    /*! <runtime dir>/mortar, where apps listen (the directory need not exist). */
    static QString defaultDirectory();
    /*! Lists the apps in \a directory, sorted by label then pid. */
    static RunningApps find(const QString &directory = defaultDirectory());

    const QString &directory() const { return m_directory; }
    const QList<RunningApp> &apps() const { return m_apps; }
    const QStringList &staleSockets() const { return m_stale; }

    /*! The app a user names by its pid or its socket's path (`--attach`); nullopt, with the
        reason in \a error, if there is no such app or it has ended. */
    std::optional<RunningApp> resolve(const QString &pidOrSocket, QString *error) const;

    /*! Whether a process with \a pid exists (it may be one the user cannot signal). */
    static bool isAlive(qint64 pid);

private:
    QString m_directory;
    QList<RunningApp> m_apps;
    QStringList m_stale;
};

} // namespace Mortar::Inspector
