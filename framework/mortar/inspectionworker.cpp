// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectionworker_p.h"

#include <mortar/app.h>

#include <QCborArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QMetaEnum>

#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

Q_DECLARE_LOGGING_CATEGORY(lcInspect) // inspectionserver.cpp

namespace {

constexpr int EventsPerFrame = 2000;
// How long flush() waits for a client that takes nothing before it gives up on it.
constexpr auto StallTimeout = std::chrono::milliseconds(100);

/*! Only the user who runs the App may inspect it (besides the socket's and the directory's
    permissions, the kernel's word on who is at the other end). */
bool peerIsThisUser(QLocalSocket *socket)
{
#ifdef SO_PEERCRED
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &credentials, &length)
        != 0)
        return false;
    return credentials.uid == getuid();
#else
    Q_UNUSED(socket);
    return true;
#endif
}

QString stateName(App::State state)
{
    return QString::fromLatin1(QMetaEnum::fromType<App::State>().valueToKey(int(state)));
}

} // namespace

InspectionWorker::InspectionWorker(std::shared_ptr<InspectionShared> shared)
    : m_shared(std::move(shared))
{
}

InspectionWorker::~InspectionWorker()
{
    shutdown();
}

Result InspectionWorker::listen(const QString &socketPath)
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(socketPath); // a stale socket of a process that died with our pid
    if (!m_server->listen(socketPath)) {
        return Result::failure(u"Unable to listen for inspectors on %1: %2"_s.arg(
                socketPath, m_server->errorString()));
    }
    connect(m_server, &QLocalServer::newConnection, this, &InspectionWorker::accept);
    return Result::success();
}

void InspectionWorker::shutdown()
{
    // The sockets must not call back while they go.
    for (const auto &client : m_clients) {
        if (QLocalSocket *socket = client->socket) {
            socket->disconnect(this);
            delete socket;
        }
    }
    m_clients.clear();
    m_shared->clients = 0;
    m_shared->subscribers = 0;
    delete m_server;
    m_server = nullptr;
}

void InspectionWorker::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        if (!peerIsThisUser(socket)) {
            qCWarning(lcInspect, "Refused an inspector of another user");
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto client = std::make_unique<Client>();
        client->socket = socket;
        Client *raw = client.get();
        m_clients.push_back(std::move(client));
        m_shared->clients.store(int(m_clients.size()));
        connect(socket, &QLocalSocket::readyRead, this, [this, raw] { read(raw); });
        // A client that fell behind hears what it missed as soon as it caught up, not only with
        // the next event (the App may have gone quiet).
        connect(socket, &QLocalSocket::bytesWritten, this, [this, raw] {
            if (raw->missed > 0 && raw->socket->bytesToWrite() <= m_shared->maxPendingBytes / 2)
                sendMissed(raw);
        });
        connect(socket, &QLocalSocket::disconnected, this, [this, raw] { drop(raw, {}); });
    }
}

void InspectionWorker::drop(Client *client, const QString &why)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(),
                                 [client](const auto &c) { return c.get() == client; });
    if (it == m_clients.end())
        return;
    if (!why.isEmpty())
        qCWarning(lcInspect).noquote() << u"Dropped an inspector: %1"_s.arg(why);
    std::unique_ptr<Client> dropped = std::move(*it);
    m_clients.erase(it);
    m_shared->clients.store(int(m_clients.size()));
    if (dropped->subscribed)
        m_shared->subscribers.fetch_sub(1);
    if (QLocalSocket *socket = dropped->socket) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void InspectionWorker::read(Client *client)
{
    client->decoder.feed(client->socket->readAll());
    while (std::optional<QCborMap> message = client->decoder.next()) {
        const QString type = message->value(u"type"_s).toString();
        if (!client->subscribed) {
            // The first frame must carry the token.
            if (type != u"hello"_s || message->value(u"token"_s).toString() != m_shared->token) {
                send(client, {{u"type"_s, u"error"_s}, {u"message"_s, u"invalid token"_s}});
                client->socket->flush();
                drop(client, u"its first frame did not carry the token"_s);
                return;
            }
            subscribe(client);
        } else if (type == u"subscribe"_s) {
            // Already streaming; accepted for clients that say it explicitly.
        } else if (type == u"requestClose"_s) {
            qCInfo(lcInspect, "An inspector asked the App to close");
            Q_EMIT closeRequested();
        } else {
            drop(client,
                 u"it sent '%1', which is not a command (subscribe, requestClose)"_s.arg(type));
            return;
        }
    }
    if (client->decoder.hasError())
        drop(client, client->decoder.errorString());
}

QCborMap InspectionWorker::hello() const
{
    const AppOptions &options = m_shared->app.options();
    QCborArray signals_;
    for (const int signal : options.catchSignals)
        signals_.append(signal);
    return {{u"type"_s, u"hello"_s},
            {u"protocol"_s, InspectionProtocol::Version},
            {u"label"_s, m_shared->app.label()},
            {u"pid"_s, QCoreApplication::applicationPid()},
            {u"state"_s, stateName(m_shared->app.state())},
            {u"exitCode"_s, m_shared->app.exitCode()},
            {u"options"_s,
             QCborMap{{u"exitOnClose"_s, options.exitOnClose},
                      {u"closeTimeoutMs"_s, qint64(options.closeTimeout.count())},
                      {u"handlerTimeoutMs"_s, qint64(options.handlerTimeout.count())},
                      {u"timeoutExitCode"_s, options.timeoutExitCode},
                      {u"catchSignals"_s, signals_}}}};
}

QCborMap InspectionWorker::snapshot() const
{
    QCborArray hooks;
    for (const QString &hook : m_shared->app.hooks().names()) {
        QCborArray handlers;
        for (const HandlerInfo &info : m_shared->app.hooks().handlers(hook)) {
            handlers.append(QCborMap{{u"id"_s, qint64(info.id().value())},
                                     {u"name"_s, info.name()},
                                     {u"weight"_s, info.weight()},
                                     {u"owner"_s, info.owner()},
                                     {u"source"_s, info.source()},
                                     {u"timeoutMs"_s, qint64(info.timeout().count())},
                                     {u"receivers"_s, info.receiverCount()}});
        }
        hooks.append(QCborMap{{u"name"_s, hook}, {u"handlers"_s, handlers}});
    }
    QCborArray plugins;
    QCborArray extensions;
    {
        QMutexLocker locker(&m_shared->mutex);
        plugins = m_shared->plugins;
        extensions = m_shared->extensions;
    }
    return {{u"type"_s, u"snapshot"_s},
            {u"hooks"_s, hooks},
            {u"plugins"_s, plugins},
            {u"extensions"_s, extensions}};
}

void InspectionWorker::subscribe(Client *client)
{
    client->subscribed = true;
    // Before the backlog is taken: whatever is recorded from now on is queued, and what the
    // backlog already holds is skipped by its seq.
    m_shared->subscribers.fetch_add(1);
    send(client, hello());
    send(client, snapshot());
    const QList<TraceEvent> backlog = m_shared->app.trace().events();
    sendEvents(client, backlog);
    send(client, {{u"type"_s, u"live"_s}});
    client->socket->flush();
}

bool InspectionWorker::send(Client *client, const QCborMap &message)
{
    const QByteArray frame = InspectionProtocol::encodeFrame(message);
    if (frame.isEmpty()) {
        qCWarning(lcInspect).noquote()
                << u"A '%1' message is larger than a frame may be; not sent"_s.arg(
                           message.value(u"type"_s).toString());
        return false;
    }
    return client->socket && client->socket->write(frame) == frame.size();
}

void InspectionWorker::sendMissed(Client *client)
{
    send(client, {{u"type"_s, u"missed"_s}, {u"count"_s, client->missed}});
    client->missed = 0;
}

void InspectionWorker::sendEvents(Client *client, const QList<TraceEvent> &events)
{
    // What this client has not had yet (a backlog and the live queue overlap), as long as it
    // keeps up: never let it hold the App back, but tell it what it lost.
    QList<TraceEvent> batch;
    const qint64 maxPending = m_shared->maxPendingBytes;
    const auto sendBatch = [&] {
        if (batch.isEmpty())
            return;
        QByteArray frames;
        qint64 tooLarge = 0;
        InspectionProtocol::appendEventFrames(frames, batch, EventsPerFrame, &tooLarge);
        client->missed += tooLarge;
        client->socket->write(frames);
        client->socket->flush(); // as much as the socket takes now, without blocking
        batch.clear();
    };
    for (const TraceEvent &event : events) {
        if (event.seq <= client->lastSentSeq)
            continue;
        client->lastSentSeq = event.seq;
        if (client->socket->bytesToWrite() > maxPending) {
            ++client->missed;
            continue;
        }
        if (client->missed > 0) {
            sendBatch();
            sendMissed(client);
        }
        batch.append(event);
        if (batch.size() >= EventsPerFrame)
            sendBatch();
    }
    sendBatch();
}

void InspectionWorker::sendPending()
{
    QList<TraceEvent> events;
    {
        QMutexLocker locker(&m_shared->mutex);
        events.swap(m_shared->pending);
        m_shared->sendScheduled = false;
    }
    if (events.isEmpty())
        return;
    for (const auto &client : m_clients) {
        if (client->subscribed && client->socket)
            sendEvents(client.get(), events);
    }
}

void InspectionWorker::flush(std::chrono::milliseconds budget)
{
    sendPending();
    const QDeadlineTimer deadline(budget);
    for (const auto &client : m_clients) {
        QDeadlineTimer stall(StallTimeout);
        qint64 left = client->socket ? client->socket->bytesToWrite() : 0;
        while (left > 0 && !deadline.hasExpired() && !stall.hasExpired()) {
            const qint64 wait = std::min(deadline.remainingTime(), stall.remainingTime());
            client->socket->waitForBytesWritten(int(std::max<qint64>(wait, 1)));
            if (!client->socket)
                break;
            const qint64 now = client->socket->bytesToWrite();
            if (now < left)
                stall.setRemainingTime(StallTimeout); // it reads: wait on
            left = now;
        }
    }
}

} // namespace Mortar::Internal
