// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectionsession.h"

#include "inspectorclient.h"
#include "runningapps.h"

#include <mortar/inspectionprotocol.h>

#include <QDir>
#include <QProcess>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

InspectionSession::InspectionSession(QObject *parent) : QObject(parent) { }

bool InspectionSession::isConnected() const
{
    return m_client && m_client->isConnected();
}

void InspectionSession::launch(const QString &program, const QStringList &arguments)
{
    const QString token = InspectionProtocol::newToken();
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::ForwardedChannels);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"MORTAR_INSPECT"_s, u"1"_s);
    environment.insert(u"MORTAR_INSPECT_TOKEN"_s, token); // no token file: we hand it over
    m_process->setProcessEnvironment(environment);
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus status) {
                m_processExitCode = status == QProcess::NormalExit ? exitCode : -1;
                m_appEnded = true;
                finishIfComplete();
            });
    connect(m_process, &QProcess::errorOccurred, this,
            [this, program](QProcess::ProcessError error) {
                if (error == QProcess::FailedToStart) {
                    Q_EMIT progress(
                            u"Unable to start %1: %2"_s.arg(program, m_process->errorString()));
                    m_appEnded = m_disconnected = true;
                    finishIfComplete();
                }
            });
    m_process->start(program, arguments);
    Q_EMIT progress(u"starting %1 …"_s.arg(program));

    // The app listens on <runtime dir>/mortar/<label>-<pid>; its label is not known yet.
    auto *poll = new QTimer(this);
    poll->setInterval(20);
    connect(poll, &QTimer::timeout, this, [this, poll, token] {
        const QString directory = InspectionProtocol::socketDirectory();
        const QStringList sockets = QDir(directory).entryList(
                {InspectionProtocol::socketName(u"*"_s, m_process->processId())},
                QDir::System | QDir::Files);
        if (!sockets.isEmpty()) {
            poll->deleteLater();
            follow(QDir(directory).filePath(sockets.first()), token);
        } else if (m_appEnded) {
            poll->deleteLater(); // it ended before it listened
            m_disconnected = true;
            finishIfComplete();
        }
    });
    poll->start();
}

Result InspectionSession::attach(const RunningApp &app)
{
    if (isFollowing())
        return Result::failure(u"This window already follows an app; use File → Attach to a "
                               u"running app… for another"_s);
    const QString token = InspectorClient::readToken(app.socketPath);
    if (token.isEmpty()) {
        return Result::failure(
                app.hasTokenFile
                        ? u"Unable to attach to %1 (pid %2): its token file %3.token cannot "
                          u"be read"_s.arg(app.label)
                                  .arg(app.pid)
                                  .arg(app.socketPath)
                        : u"Unable to attach to %1 (pid %2): it was started by another "
                          u"inspector (mortar-inspector --launch), which alone has its token"_s
                                  .arg(app.label)
                                  .arg(app.pid));
    }
    m_label = app.label;
    m_pid = app.pid;
    m_appEnded = true; // not our child: its end is the connection's
    Q_EMIT progress(u"attaching to %1 …"_s.arg(app.socketPath));
    follow(app.socketPath, token);
    return Result::success();
}

void InspectionSession::requestClose()
{
    if (!isConnected() || m_ended || m_closeRequested)
        return;
    m_closeRequested = true;
    m_client->requestClose();
}

void InspectionSession::follow(const QString &socketPath, const QString &token)
{
    m_client = new InspectorClient(this);
    connect(m_client, &InspectorClient::helloReceived, this, [this](const QCborMap &hello) {
        m_label = hello.value(u"label"_s).toString();
        m_pid = hello.value(u"pid"_s).toInteger();
        Q_EMIT helloReceived();
    });
    connect(m_client, &InspectorClient::snapshotReceived, this,
            &InspectionSession::snapshotReceived);
    connect(m_client, &InspectorClient::eventsReceived, this, &InspectionSession::eventsReceived);
    connect(m_client, &InspectorClient::disconnected, this, [this](const QString &reason) {
        m_disconnectReason = reason;
        m_disconnected = true;
        Q_EMIT disconnected();
        finishIfComplete();
    });
    m_client->connectTo(socketPath, token);
}

void InspectionSession::finishIfComplete()
{
    // Both the process's end and the socket's: only then is the trace complete.
    if (m_ended || !m_appEnded || !m_disconnected)
        return;
    m_ended = true;
    Q_EMIT ended();
}

} // namespace Mortar::Inspector
