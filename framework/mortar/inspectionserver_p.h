// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/inspectionprotocol.h>
#include <mortar/mortar_export.h>
#include <mortar/result.h>
#include <mortar/trace.h>

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

/*!
    The App's inspection server (SPEC 10.1): a QLocalServer in the user's runtime directory
    that streams the App's hooks and trace to connected inspectors (docs/inspection-protocol.md).

    Owned by the App's private part, created by setup() when inspection is on. Lives in the
    App's thread. Trace events arrive from any thread and are sent in batches; a
    client that does not keep up loses events (it is told how many), never slows the App.
*/
class MORTAR_EXPORT InspectionServer final : public QObject // exported for its tests
{
    Q_OBJECT

public:
    explicit InspectionServer(App &app);
    ~InspectionServer() override;

    /*! Listens on <runtime dir>/mortar/<label>-<pid>. The token is \a token (a launched app's,
        from MORTAR_INSPECT_TOKEN) or a new random one written to a 0600 file beside the socket. */
    Result listen(const QString &token = {});
    QString socketPath() const;
    QString tokenPath() const;
    QString token() const { return m_token; }
    int clientCount() const;

    /*! Sends what is pending and waits, at most \a budget, until clients took it. */
    void flush(std::chrono::milliseconds budget);

    /*! Bytes queued for one client beyond which its events are dropped (and counted). */
    void setMaxPendingBytes(qint64 bytes) { m_maxPendingBytes = bytes; }

    /*! The directory of every app's socket: <runtime dir>/mortar, created 0700; refused if it
        belongs to another user or others may enter it. */
    static Result runtimeDirectory(QString *path);

Q_SIGNALS:
    /*! A client asked the App to close. */
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
    void sendPending();
    void record(const TraceEvent &event); // any thread
    QCborMap hello() const;
    QCborMap snapshot() const;

    App &m_app;
    QLocalServer *m_server = nullptr;
    QString m_socketPath;
    QString m_tokenPath;
    QString m_token;
    std::vector<std::unique_ptr<Client>> m_clients;
    qint64 m_maxPendingBytes = 8 * 1024 * 1024;

    // Subscribed clients; read by record() in any thread, so that with nobody watching, trace
    // events are not copied and queued for no one.
    std::atomic<int> m_subscribers{0};

    QMutex m_pendingMutex;
    QList<TraceEvent> m_pending;  // m_pendingMutex
    bool m_sendScheduled = false; // m_pendingMutex
};

} // namespace Mortar::Internal
