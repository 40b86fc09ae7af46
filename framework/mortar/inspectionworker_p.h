// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/inspectionprotocol.h>
#include <mortar/result.h>
#include <mortar/trace.h>

#include <QCborArray>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

class QLocalServer;
class QLocalSocket;

namespace Mortar {
class App;
}

namespace Mortar::Internal {

/*! What the App's thread and the server's thread share (InspectionServer, InspectionWorker). */
struct InspectionShared
{
    explicit InspectionShared(App &inspected) : app(inspected) { }

    App &app; // only its thread-safe parts are used from the server's thread
    QString token;
    std::atomic<int> subscribers{0}; // with none, trace events are not even queued
    std::atomic<int> clients{0};
    std::atomic<qint64> maxPendingBytes{8 * 1024 * 1024};

    QMutex mutex;
    QList<TraceEvent> pending;  // recorded, not yet sent
    bool sendScheduled = false; // a sendPending() is on its way to the server's thread
    // The plugins and extensions as the snapshot lists them, copied in the App's thread (their
    // registries are not thread-safe); the hooks are read from the thread-safe HookRegistry.
    QCborArray plugins;
    QCborArray extensions;
};

/*!
    The inspection server's sockets, in a thread of their own: the QLocalServer, its clients,
    the protocol (docs/inspection-protocol.md), and the encoding of events. So the App's thread
    only queues events, and an inspector keeps receiving them while that thread is busy — in a
    long synchronous close, or in a handler that never returns.
*/
class InspectionWorker final : public QObject
{
    Q_OBJECT

public:
    explicit InspectionWorker(std::shared_ptr<InspectionShared> shared);
    ~InspectionWorker() override;

    Result listen(const QString &socketPath);
    /*! Sends the queued events to every subscribed client. */
    void sendPending();
    /*!
        sendPending(), then waits until every client took what it was sent, at most \a budget
        in all. A client that takes nothing for a while is given up on (it is not reading), so
        it costs that while, not the whole budget.
    */
    void flush(std::chrono::milliseconds budget);
    /*! Closes the server and every client (in this thread, where their notifiers live). */
    void shutdown();

Q_SIGNALS:
    void closeRequested();

private:
    struct Client
    {
        QPointer<QLocalSocket> socket;
        InspectionProtocol::FrameDecoder decoder;
        bool subscribed = false;
        qint64 lastSentSeq = -1;
        qint64 missed = 0;
    };

    void accept();
    void read(Client *client);
    void drop(Client *client, const QString &why);
    void subscribe(Client *client);
    bool send(Client *client, const QCborMap &message);
    void sendEvents(Client *client, const QList<TraceEvent> &events);
    void sendMissed(Client *client);
    QCborMap hello() const;
    QCborMap snapshot() const;

    const std::shared_ptr<InspectionShared> m_shared;
    QLocalServer *m_server = nullptr;
    std::vector<std::unique_ptr<Client>> m_clients;
};

} // namespace Mortar::Internal
