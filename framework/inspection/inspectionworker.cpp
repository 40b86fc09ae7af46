// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectionworker_p.h"
#include "liveclients_p.h"
#include "trace_p.h"

#include <mortar/hookregistry.h>

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
// How often new events are looked for while a client is subscribed: "live" is this late.
constexpr auto PumpInterval = std::chrono::milliseconds(10);
// How often clients without a token are looked at, and a server that stopped is restarted.
constexpr auto HousekeepingInterval = std::chrono::milliseconds(200);

TracePrivate *traceOf(const InspectedApp &app)
{
    return TracePrivate::get(*app.trace);
}

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

} // namespace

InspectionWorker::InspectionWorker(std::shared_ptr<InspectionShared> shared)
    : m_shared(std::move(shared)),
      m_pumpTimer(new QTimer(this)),
      m_housekeeping(new QTimer(this))
{
    m_pumpTimer->setInterval(PumpInterval);
    connect(m_pumpTimer, &QTimer::timeout, this, &InspectionWorker::pumpAll);
    m_housekeeping->setInterval(HousekeepingInterval);
    connect(m_housekeeping, &QTimer::timeout, this, &InspectionWorker::housekeeping);
}

InspectionWorker::~InspectionWorker()
{
    shutdown();
}

Result InspectionWorker::listen(const QString &socketPath)
{
    m_socketPath = socketPath;
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(socketPath); // a stale socket of a process that died with our pid
    if (!m_server->listen(socketPath)) {
        return Result::failure(u"Unable to listen for inspectors on %1: %2"_s.arg(
                socketPath, m_server->errorString()));
    }
    connect(m_server, &QLocalServer::newConnection, this, &InspectionWorker::accept);
    m_housekeeping->start();
    return Result::success();
}

void InspectionWorker::shutdown()
{
    m_housekeeping->stop();
    // The sockets must not call back while they go.
    for (const auto &client : m_clients) {
        if (QLocalSocket *socket = client->socket) {
            LiveClients::detach(client->liveSlot); // before the socket closes
            client->liveSlot = -1;
            if (client->subscribed)
                traceOf(m_shared->app)->removeReader();
            socket->disconnect(this);
            delete socket;
        }
    }
    m_clients.clear();
    m_shared->clients = 0;
    m_pumpTimer->stop();
    delete m_server;
    m_server = nullptr;
}

int InspectionWorker::connectedCount() const
{
    return int(std::count_if(m_clients.cbegin(), m_clients.cend(),
                             [](const auto &client) { return !client->socket.isNull(); }));
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
        if (connectedCount() >= MaxClients) {
            // Told why, so that a 17th inspector says so instead of waiting.
            qCWarning(lcInspect, "Refused an inspector: %d are connected, the most allowed",
                      MaxClients);
            socket->write(InspectionProtocol::encodeFrame(
                    {{u"type"_s, u"error"_s},
                     {u"message"_s,
                      u"too many inspectors connected (at most %1); try again later"_s.arg(
                              MaxClients)}}));
            // Gracefully: what is written is delivered first. A peer that does not read it is
            // cut off after a second.
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            socket->flush();
            socket->disconnectFromServer();
            if (socket->state() != QLocalSocket::UnconnectedState)
                QTimer::singleShot(1000, socket, &QLocalSocket::abort);
            else
                socket->deleteLater();
            continue;
        }
        // Until it authenticates, Qt reads no more than the limit from it at a time: an
        // unauthenticated client cannot make the App buffer what it sends.
        socket->setReadBufferSize(MaxBytesBeforeToken + 1);
        auto client = std::make_unique<Client>();
        client->socket = socket;
        client->tokenDeadline = QDeadlineTimer(TokenTimeout);
        Client *raw = client.get();
        m_clients.push_back(std::move(client));
        m_shared->clients.store(connectedCount());
        // raw stays valid while these can fire: drop() disconnects them before sweep() deletes.
        connect(socket, &QLocalSocket::readyRead, this, [this, raw] { read(raw); });
        // A client that fell behind gets more as soon as it has taken some.
        connect(socket, &QLocalSocket::bytesWritten, this, [this, raw] {
            if (raw->subscribed && raw->socket
                && raw->socket->bytesToWrite() <= m_shared->maxPendingBytes / 2)
                pump(raw);
            settle(raw);
        });
        connect(socket, &QLocalSocket::disconnected, this, [this, raw] { drop(raw, {}); });
        // A peer that went away while we had bytes queued for it: Qt would wait in
        // ClosingState for a flush that never comes, and the client would hold its place.
        connect(socket, &QLocalSocket::errorOccurred, this, [this, raw] { drop(raw, {}); });
    }
}

void InspectionWorker::drop(Client *client, const QString &why)
{
    QLocalSocket *const socket = client->socket;
    if (!socket)
        return; // dropped already
    if (!why.isEmpty())
        qCWarning(lcInspect).noquote() << u"Dropped an inspector: %1"_s.arg(why);
    // Mark only: the caller (read(), pump(), flush() …) may still be using the Client. It is
    // deleted by sweep(), from the event loop.
    client->socket = nullptr;
    // Counted before the connection closes: whoever sees it closed sees the count without it.
    m_shared->clients.store(connectedCount());
    LiveClients::detach(client->liveSlot); // before the socket closes: its number may be reused
    client->liveSlot = -1;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    if (client->subscribed)
        traceOf(m_shared->app)->removeReader();
    if (std::none_of(m_clients.begin(), m_clients.end(),
                     [](const auto &c) { return c->subscribed && c->socket; }))
        m_pumpTimer->stop();
    if (!m_sweepQueued) {
        m_sweepQueued = true;
        QMetaObject::invokeMethod(this, &InspectionWorker::sweep, Qt::QueuedConnection);
    }
}

void InspectionWorker::sweep()
{
    m_sweepQueued = false;
    m_clients.erase(std::remove_if(m_clients.begin(), m_clients.end(),
                                   [](const auto &client) { return client->socket.isNull(); }),
                    m_clients.end());
}

void InspectionWorker::housekeeping()
{
    const auto count = m_clients.size(); // drop() does not shrink it: index loop is safe
    for (size_t i = 0; i < count; ++i) {
        Client *client = m_clients[i].get();
        if (client->socket && !client->subscribed && client->tokenDeadline.hasExpired())
            drop(client,
                 u"it sent no valid token within %1 ms"_s.arg(qint64(TokenTimeout.count())));
        else if (client->socket && client->socket->state() != QLocalSocket::ConnectedState)
            drop(client, {}); // closing: gone, whatever it still had to get
    }
    if (!m_server || m_server->isListening())
        return;
    // QLocalServer closes itself (and removes its socket file) when accept() fails — out of
    // file descriptors, say. Inspection must not be dead for the rest of the run: listen again
    // as soon as descriptors are free.
    if (!m_listenFailedReported) {
        m_listenFailedReported = true;
        qCWarning(lcInspect).noquote()
                << u"The inspection server stopped listening (%1); listening again as soon as "
                   u"it can"_s.arg(m_server->errorString());
    }
    QLocalServer::removeServer(m_socketPath);
    if (m_server->listen(m_socketPath)) {
        m_listenFailedReported = false;
        qCInfo(lcInspect).noquote()
                << u"Inspection server listening again on %1"_s.arg(m_socketPath);
    }
}

void InspectionWorker::read(Client *client)
{
    if (!client->socket)
        return;
    const QByteArray bytes = client->socket->readAll();
    if (!client->subscribed) {
        client->bytesBeforeToken += bytes.size();
        if (client->bytesBeforeToken > MaxBytesBeforeToken) {
            drop(client, u"it sent more than %1 bytes before its token"_s.arg(MaxBytesBeforeToken));
            return;
        }
    }
    client->decoder.feed(bytes);
    // drop() (also from inside send() or subscribe()) nulls the socket: the loop ends there.
    while (client->socket) {
        const std::optional<QCborMap> message = client->decoder.next();
        if (!message)
            break;
        const QString type = message->value(u"type"_s).toString();
        if (!client->subscribed) {
            // The first frame must carry the token.
            if (type != u"hello"_s || message->value(u"token"_s).toString() != m_shared->token) {
                send(client, {{u"type"_s, u"error"_s}, {u"message"_s, u"invalid token"_s}});
                if (client->socket)
                    client->socket->flush();
                drop(client, u"its first frame did not carry the token"_s);
                return;
            }
            client->socket->setReadBufferSize(0); // authenticated: frames up to MaxFrameSize
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
    if (client->socket && client->decoder.hasError())
        drop(client, client->decoder.errorString());
}

QCborMap InspectionWorker::hello() const
{
    QCborMap hello = m_shared->app.hello ? m_shared->app.hello() : QCborMap();
    hello.insert(u"type"_s, u"hello"_s);
    hello.insert(u"protocol"_s, InspectionProtocol::Version);
    hello.insert(u"pid"_s, QCoreApplication::applicationPid());
    return hello;
}

QList<QCborMap> InspectionWorker::snapshot() const
{
    // A registry of 500 000 handlers is tens of MiB of CBOR: it goes in parts, cut at a quarter
    // of the frame limit by a worst-case estimate (3 bytes of UTF-8 per UTF-16 unit, plus the
    // keys and numbers), so that no part can cross the limit. A hook cut in two is in both.
    constexpr qsizetype Target = InspectionProtocol::MaxFrameSize / 4;
    QList<QCborMap> parts;
    QCborArray hooks;
    qsizetype size = 0;
    const auto endPart = [&] {
        parts.append({{u"type"_s, u"snapshot"_s}, {u"hooks"_s, hooks}});
        hooks = {};
        size = 0;
    };
    for (const QString &hook : m_shared->app.hooks->names()) {
        QCborArray handlers;
        const auto endHook = [&] {
            hooks.append(QCborMap{{u"name"_s, hook}, {u"handlers"_s, handlers}});
            handlers = {};
        };
        size += 3 * hook.size() + 32;
        for (const HandlerInfo &info : m_shared->app.hooks->handlers(hook)) {
            const qsizetype handlerSize =
                    3 * (info.name().size() + info.owner().size() + info.source().size()) + 96;
            if (size + handlerSize > Target && (!handlers.isEmpty() || !hooks.isEmpty())) {
                endHook();
                endPart();
                size = 3 * hook.size() + 32;
            }
            handlers.append(QCborMap{{u"id"_s, qint64(info.id().value())},
                                     {u"name"_s, info.name()},
                                     {u"weight"_s, info.weight()},
                                     {u"owner"_s, info.owner()},
                                     {u"source"_s, info.source()},
                                     {u"timeoutMs"_s, qint64(info.timeout().count())},
                                     {u"receivers"_s, info.receiverCount()}});
            size += handlerSize;
        }
        endHook();
    }
    endPart();
    QMutexLocker locker(&m_shared->mutex);
    parts.first().insert(u"plugins"_s, m_shared->plugins);
    parts.first().insert(u"extensions"_s, m_shared->extensions);
    return parts;
}

void InspectionWorker::subscribe(Client *client)
{
    client->subscribed = true;
    // From now on a forced end writes its last record to this client too (spec §10.1).
    client->liveSlot = LiveClients::attach(int(client->socket->socketDescriptor()));
    TracePrivate *trace = traceOf(m_shared->app);
    trace->addReader(); // from now on, handler events reach the trace as they happen
    client->backlogEnd = trace->nextSeq() - 1;
    send(client, hello());
    for (const QCborMap &part : snapshot())
        send(client, part);
    pump(client);
    if (client->socket)
        m_pumpTimer->start();
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
    // Once a forced end writes its last record here, nothing may come between its bytes.
    return client->socket && LiveClients::beginWrite(client->liveSlot)
            && client->socket->write(frame) == frame.size();
}

void InspectionWorker::settle(Client *client)
{
    if (client->socket && client->socket->bytesToWrite() == 0)
        LiveClients::endWrite(client->liveSlot, client->lastSentSeq);
}

void InspectionWorker::pump(Client *client)
{
    TracePrivate *trace = traceOf(m_shared->app);
    const qint64 maxPending = m_shared->maxPendingBytes;
    while (client->socket && client->socket->bytesToWrite() < maxPending) {
        QList<TraceEvent> events = trace->eventsAfter(client->lastSentSeq, EventsPerFrame);
        // A forced end is writing its final record: nothing recorded after it goes out.
        const qint64 limit = LiveClients::sendLimit();
        while (!events.isEmpty() && events.last().seq >= limit)
            events.removeLast();
        if (events.isEmpty())
            break;
        // Events the trace dropped (to stay within its capacity) before this client got them.
        qint64 missed = events.first().seq - client->lastSentSeq - 1;
        QByteArray frames;
        InspectionProtocol::appendEventFrames(frames, events, EventsPerFrame, &missed);
        if (missed > 0)
            send(client, {{u"type"_s, u"missed"_s}, {u"count"_s, missed}});
        if (!client->socket || !LiveClients::beginWrite(client->liveSlot))
            break;
        client->socket->write(frames);
        client->lastSentSeq = events.last().seq;
    }
    if (!client->live && client->lastSentSeq >= client->backlogEnd && client->socket) {
        client->live = true;
        send(client, {{u"type"_s, u"live"_s}});
    }
    if (client->socket)
        client->socket->flush(); // as much as the socket takes now, without blocking
    settle(client);
}

void InspectionWorker::pumpAll()
{
    // By index: pump() may drop a client (marked, not erased), and nothing here appends.
    const auto count = m_clients.size();
    for (size_t i = 0; i < count; ++i) {
        Client *client = m_clients[i].get();
        if (client->subscribed && client->socket)
            pump(client);
    }
}

void InspectionWorker::flush(std::chrono::milliseconds budget)
{
    const QDeadlineTimer deadline(budget);
    const auto count = m_clients.size();
    for (size_t i = 0; i < count; ++i) {
        Client *const client = m_clients[i].get();
        if (!client->subscribed || !client->socket)
            continue;
        QDeadlineTimer stall(StallTimeout);
        qint64 left = -1;
        while (client->socket && !deadline.hasExpired() && !stall.hasExpired()) {
            pump(client);
            if (!client->socket)
                break; // pump() dropped it
            const qint64 now = client->socket->bytesToWrite();
            if (now == 0 && client->lastSentSeq >= traceOf(m_shared->app)->nextSeq() - 1)
                break; // it has everything
            if (left < 0 || now < left)
                stall.setRemainingTime(StallTimeout); // it reads: wait on
            left = now;
            const qint64 wait = std::min(deadline.remainingTime(), stall.remainingTime());
            // May emit disconnected, which drops the client: the loop checks the socket.
            client->socket->waitForBytesWritten(int(std::clamp<qint64>(wait, 1, 10)));
        }
    }
}

} // namespace Mortar::Internal
