// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include "inspectionserver_p.h"

#include <mortar/inspectionprotocol.h>
#include <mortar/result.h>
#include <mortar/trace.h>

#include <QCborArray>
#include <QDeadlineTimer>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTimer>

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
    explicit InspectionShared(InspectedApp inspected) : app(std::move(inspected)) { }

    const InspectedApp app;
    QString token;
    std::atomic<int> clients{0};
    std::atomic<qint64> maxPendingBytes{1024 * 1024};

    // The plugins and extensions as the snapshot lists them, copied in the App's thread (their
    // registries are not thread-safe); the hooks are read from the thread-safe HookRegistry.
    QMutex mutex;
    QCborArray plugins;    // mutex
    QCborArray extensions; // mutex
};

/*!
    The inspection server's sockets, in a thread of their own: the QLocalServer, its clients,
    the protocol (docs/inspection-protocol.md) and the encoding of events.

    It pulls the events from the App's trace, for each client from where that client is, as
    fast as the client takes them: the App's threads only record, as they always do, and an
    inspector keeps receiving events while the App's thread is busy — in a long synchronous
    close, or in a handler that never returns. A slow client costs the App nothing and loses
    nothing the trace still holds; it is told how many events the trace dropped before it got
    them.
*/
class InspectionWorker final : public QObject
{
    Q_OBJECT

public:
    /*! Limits against clients that never authenticate (spec §10.1). */
    static constexpr int MaxClients = 16;
    static constexpr qint64 MaxBytesBeforeToken = 4096;
    static constexpr std::chrono::milliseconds TokenTimeout{2000};

    explicit InspectionWorker(std::shared_ptr<InspectionShared> shared);
    ~InspectionWorker() override;

    Result listen(const QString &socketPath);
    /*!
        Sends every client what the trace holds for it, then waits until each took it, at most
        \a budget in all. A client that takes nothing for a while is given up on (it is not
        reading), so it costs that while, not the whole budget.
    */
    void flush(std::chrono::milliseconds budget);
    /*! Closes the server and every client (in this thread, where their notifiers live). */
    void shutdown();

Q_SIGNALS:
    void closeRequested();

private:
    struct Client
    {
        // Null once dropped: every loop over a client checks it, since sending may drop the
        // client (a write that fails emits disconnected) in the middle of a loop.
        QPointer<QLocalSocket> socket;
        InspectionProtocol::FrameDecoder decoder;
        QDeadlineTimer tokenDeadline; // until the token is in, the client has this long
        qint64 bytesBeforeToken = 0;
        bool subscribed = false;
        bool live = false;      // "live" was sent: the backlog is behind it
        qint64 backlogEnd = -1; // the last seq of its backlog (recorded before it subscribed)
        qint64 lastSentSeq = -1;
        int liveSlot = -1; // in LiveClients, while subscribed: where a forced end writes to it
    };

    void accept();
    void read(Client *client);
    void drop(Client *client, const QString &why);
    void subscribe(Client *client);
    bool send(Client *client, const QCborMap &message);
    /*! Sends \a client the trace's next events, as long as its socket is not too full. */
    void pump(Client *client);
    void pumpAll();
    /*! Tells a forced end that \a client's socket holds whole frames only, if it does. */
    void settle(Client *client);
    /*! Deletes the clients drop() marked, once no loop runs over them (queued). */
    void sweep();
    /*! Every few hundred ms: drops clients that sent no token in time, and listens again if
        the server stopped (Qt's QLocalServer closes itself when accept() fails, e.g. EMFILE). */
    void housekeeping();
    int connectedCount() const;
    QCborMap hello() const;
    /*! The snapshot, in as many \c snapshot frames as it needs (each well below MaxFrameSize):
        every one carries some hooks' handlers, the first the plugins and extensions too. */
    QList<QCborMap> snapshot() const;

    const std::shared_ptr<InspectionShared> m_shared;
    QLocalServer *m_server = nullptr;
    QTimer *m_pumpTimer = nullptr;    // while a client is subscribed
    QTimer *m_housekeeping = nullptr; // always, while listening
    QString m_socketPath;
    bool m_listenFailedReported = false; // the server stopped; warned once until it listens again
    bool m_sweepQueued = false;
    // Dropped clients stay here (socket null) until sweep(): a Client is never deleted while a
    // function up the stack still uses it.
    std::vector<std::unique_ptr<Client>> m_clients;
};

} // namespace Mortar::Internal
