// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QCborMap>
#include <QObject>
#include <QString>

class QProcess;

namespace Mortar::Inspector {

class InspectorClient;
struct RunningApp;

/*!
    \brief Following one app live, without widgets: starting it with inspection on (launch())
    or attaching to a running one (attach()), its socket, and when its trace is complete.

    The trace is complete once both the app ended (for a launched app, its process; for an
    attached one, its connection) and the connection closed: then ended() is emitted once.
    MainWindow shows what this reports; tests and headless modes may use it alone.
*/
class InspectionSession final : public QObject
{
    Q_OBJECT

public:
    explicit InspectionSession(QObject *parent = nullptr);

    /*! Starts \a program with inspection on (MORTAR_INSPECT=1 and a token handed over in
        MORTAR_INSPECT_TOKEN) and connects as soon as its socket appears. */
    void launch(const QString &program, const QStringList &arguments);
    /*! Connects to the running \a app with the token beside its socket. Fails at once if there
        is no token to read. */
    Result attach(const RunningApp &app);
    /*! Asks the app to quit (the protocol's requestClose); once. */
    void requestClose();

    bool isFollowing() const { return m_client || m_process; }
    bool isLaunched() const { return m_process; }
    bool isConnected() const;
    bool isDisconnected() const { return m_disconnected; }
    /*! Both the app and the connection ended: the trace is complete. */
    bool hasEnded() const { return m_ended; }
    /*! The launched process's exit code; -1 if it crashed or has not ended. */
    int processExitCode() const { return m_processExitCode; }
    QString disconnectReason() const { return m_disconnectReason; }
    QString label() const { return m_label; }
    qint64 pid() const { return m_pid; }

Q_SIGNALS:
    /*! Something to tell the user now: "starting …", "attaching …", why it could not start. */
    void progress(const QString &text);
    void helloReceived();
    void snapshotReceived(const QCborMap &snapshot);
    void eventsReceived(const QList<Mortar::TraceEvent> &events);
    void disconnected();
    /*! The trace is complete (hasEnded()); emitted once. */
    void ended();

private:
    void follow(const QString &socketPath, const QString &token);
    void finishIfComplete();

    InspectorClient *m_client = nullptr; // child
    QProcess *m_process = nullptr;       // child
    int m_processExitCode = -1;
    bool m_appEnded = false;
    bool m_disconnected = false;
    bool m_ended = false;
    bool m_closeRequested = false;
    QString m_disconnectReason;
    QString m_label;
    qint64 m_pid = 0;
};

} // namespace Mortar::Inspector
