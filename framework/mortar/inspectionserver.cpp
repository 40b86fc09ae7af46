// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectionserver_p.h"

#include <mortar/app.h>
#include <mortar/extension.h>

#include "logging_p.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMetaEnum>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>
#include <QThread>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {
Q_LOGGING_CATEGORY(lcInspect, "mortar.inspect", QtInfoMsg)

constexpr int EventsPerFrame = 2000; // well below the 1 MiB frame limit

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

InspectionServer::InspectionServer(App &app) : m_app(app)
{
    // Direct: the trace emits in whatever thread records; record() only queues.
    connect(
            &app.trace(), &Trace::eventRecorded, this,
            [this](const TraceEvent &event) { record(event); }, Qt::DirectConnection);
}

InspectionServer::~InspectionServer()
{
    // The sockets die with m_server, in ~QObject, after m_clients: they must not call back.
    for (const auto &client : m_clients) {
        if (client->socket)
            client->socket->disconnect(this);
    }
    m_clients.clear();
    m_subscribers = 0;
    if (m_server)
        m_server->close();
    if (!m_tokenPath.isEmpty())
        QFile::remove(m_tokenPath);
}

Result InspectionServer::runtimeDirectory(QString *path)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (base.isEmpty())
        return Result::failure(u"Unable to find the user's runtime directory"_s);
    *path = QDir(base).filePath(u"mortar"_s);
    const QByteArray native = QFile::encodeName(*path);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        return Result::failure(
                u"Unable to create %1: %2"_s.arg(*path, QString::fromLocal8Bit(strerror(errno))));
    struct stat status
    {
    };
    if (::lstat(native.constData(), &status) != 0 || !S_ISDIR(status.st_mode))
        return Result::failure(u"Unable to use %1: it is not a directory"_s.arg(*path));
    if (status.st_uid != getuid())
        return Result::failure(u"Refusing %1: it belongs to another user (uid %2)"_s.arg(*path).arg(
                status.st_uid));
    if ((status.st_mode & 0077) != 0)
        return Result::failure(
                u"Refusing %1: other users may enter it (mode %2); it must be 0700"_s.arg(
                        *path, QString::number(status.st_mode & 0777, 8)));
    return Result::success();
}

Result InspectionServer::listen(const QString &token)
{
    QString directory;
    if (const Result ok = runtimeDirectory(&directory); !ok)
        return ok;
    m_socketPath = QDir(directory).filePath(
            u"%1-%2"_s.arg(m_app.label()).arg(QCoreApplication::applicationPid()));

    if (token.isEmpty()) {
        QByteArray random(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                              random.size() / 4);
        m_token = QString::fromLatin1(random.toHex());
        m_tokenPath = m_socketPath + u".token"_s;
        QSaveFile file(m_tokenPath);
        if (!file.open(QIODevice::WriteOnly)
            || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            || file.write(m_token.toLatin1()) < 0 || !file.commit()) {
            return Result::failure(u"Unable to write the inspection token %1: %2"_s.arg(
                    m_tokenPath, file.errorString()));
        }
    } else {
        m_token = token;
    }

    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(m_socketPath); // a stale socket of a process that died with our pid
    if (!m_server->listen(m_socketPath)) {
        return Result::failure(u"Unable to listen for inspectors on %1: %2"_s.arg(
                m_socketPath, m_server->errorString()));
    }
    connect(m_server, &QLocalServer::newConnection, this, &InspectionServer::accept);
    qCInfo(lcInspect).noquote() << u"Inspection server listening on %1"_s.arg(m_socketPath);
    return Result::success();
}

QString InspectionServer::socketPath() const
{
    return m_socketPath;
}

QString InspectionServer::tokenPath() const
{
    return m_tokenPath;
}

int InspectionServer::clientCount() const
{
    return int(m_clients.size());
}

void InspectionServer::accept()
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
        connect(socket, &QLocalSocket::readyRead, this, [this, raw] { read(raw); });
        // A client that fell behind hears what it missed as soon as it caught up, not only with
        // the next event (the App may have gone quiet).
        connect(socket, &QLocalSocket::bytesWritten, this, [this, raw] {
            if (raw->missed > 0 && raw->socket->bytesToWrite() <= m_maxPendingBytes / 2) {
                send(raw, {{u"type"_s, u"missed"_s}, {u"count"_s, raw->missed}});
                raw->missed = 0;
            }
        });
        connect(socket, &QLocalSocket::disconnected, this, [this, raw] { drop(raw, {}); });
    }
}

void InspectionServer::drop(Client *client, const QString &why)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(),
                                 [client](const auto &c) { return c.get() == client; });
    if (it == m_clients.end())
        return;
    if (!why.isEmpty())
        qCWarning(lcInspect).noquote() << u"Dropped an inspector: %1"_s.arg(why);
    std::unique_ptr<Client> dropped = std::move(*it);
    m_clients.erase(it);
    if (dropped->subscribed)
        m_subscribers.fetch_sub(1);
    if (QLocalSocket *socket = dropped->socket) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void InspectionServer::read(Client *client)
{
    client->decoder.feed(client->socket->readAll());
    while (std::optional<QCborMap> message = client->decoder.next()) {
        const QString type = message->value(u"type"_s).toString();
        if (!client->subscribed) {
            // The first frame must carry the token.
            if (type != u"hello"_s || message->value(u"token"_s).toString() != m_token) {
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

QCborMap InspectionServer::hello() const
{
    const AppOptions &options = m_app.options();
    QCborArray signals_;
    for (const int signal : options.catchSignals)
        signals_.append(signal);
    return {{u"type"_s, u"hello"_s},
            {u"protocol"_s, InspectionProtocol::Version},
            {u"label"_s, m_app.label()},
            {u"pid"_s, QCoreApplication::applicationPid()},
            {u"state"_s, stateName(m_app.state())},
            {u"exitCode"_s, m_app.exitCode()},
            {u"options"_s,
             QCborMap{{u"exitOnClose"_s, options.exitOnClose},
                      {u"closeTimeoutMs"_s, qint64(options.closeTimeout.count())},
                      {u"handlerTimeoutMs"_s, qint64(options.handlerTimeout.count())},
                      {u"timeoutExitCode"_s, options.timeoutExitCode},
                      {u"catchSignals"_s, signals_}}}};
}

QCborMap InspectionServer::snapshot() const
{
    QCborArray hooks;
    for (const QString &hook : m_app.hooks().names()) {
        QCborArray handlers;
        for (const HandlerInfo &info : m_app.hooks().handlers(hook)) {
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
    QCborArray extensions;
    for (const ExtensionRegistry::Extension &extension : m_app.extensions().extensions()) {
        extensions.append(QCborMap{
                {u"name"_s, extension.name},
                {u"state"_s,
                 QString::fromLatin1(QMetaEnum::fromType<ExtensionRegistry::State>().valueToKey(
                         int(extension.state)))},
                {u"error"_s, extension.error}});
    }
    QCborArray plugins;
    for (const PluginInfo &plugin : m_app.plugins().plugins()) {
        plugins.append(
                QCborMap{{u"name"_s, plugin.name},
                         {u"version"_s, plugin.version},
                         {u"description"_s, plugin.description},
                         {u"depends"_s, QCborArray::fromStringList(plugin.depends)},
                         {u"enabledByDefault"_s, plugin.enabledByDefault},
                         {u"fileName"_s, plugin.fileName},
                         {u"state"_s,
                          QString::fromLatin1(QMetaEnum::fromType<PluginInfo::State>().valueToKey(
                                  int(plugin.state)))},
                         {u"error"_s, plugin.errorString},
                         {u"enabledBy"_s, plugin.enabledBy}});
    }
    return {{u"type"_s, u"snapshot"_s},
            {u"hooks"_s, hooks},
            {u"plugins"_s, plugins},
            {u"extensions"_s, extensions}};
}

void InspectionServer::subscribe(Client *client)
{
    client->subscribed = true;
    // Before the backlog is taken: whatever is recorded from now on is queued, and what the
    // backlog already holds is skipped by its seq.
    m_subscribers.fetch_add(1);
    send(client, hello());
    send(client, snapshot());
    const QList<TraceEvent> backlog = m_app.trace().events();
    sendEvents(client, backlog);
    if (!backlog.isEmpty())
        client->lastSentSeq = backlog.last().seq;
    send(client, {{u"type"_s, u"live"_s}});
    client->socket->flush();
}

bool InspectionServer::send(Client *client, const QCborMap &message)
{
    const QByteArray frame = InspectionProtocol::encodeFrame(message);
    return !frame.isEmpty() && client->socket && client->socket->write(frame) == frame.size();
}

void InspectionServer::sendEvents(Client *client, const QList<TraceEvent> &events)
{
    QCborArray batch;
    const auto sendBatch = [&] {
        if (batch.isEmpty())
            return;
        send(client, {{u"type"_s, u"events"_s}, {u"events"_s, batch}});
        batch = {};
        client->socket->flush(); // as much as the socket takes now, without blocking
    };
    for (const TraceEvent &event : events) {
        if (event.seq <= client->lastSentSeq)
            continue; // already sent (in its backlog)
        client->lastSentSeq = event.seq;
        if (client->socket->bytesToWrite() > m_maxPendingBytes) {
            // It does not keep up: never let it hold the App back, but tell it what it lost.
            ++client->missed;
            continue;
        }
        if (client->missed > 0) {
            sendBatch();
            send(client, {{u"type"_s, u"missed"_s}, {u"count"_s, client->missed}});
            client->missed = 0;
        }
        batch.append(InspectionProtocol::eventToCbor(event));
        if (batch.size() >= EventsPerFrame)
            sendBatch();
    }
    sendBatch();
}

void InspectionServer::record(const TraceEvent &event)
{
    if (m_subscribers.load(std::memory_order_relaxed) == 0)
        return;
    bool sendNow = false;
    {
        QMutexLocker locker(&m_pendingMutex);
        m_pending.append(event);
        // In the App's thread, steps that end something go out at once (a synchronous close
        // never returns to the event loop); the rest in batches from the event loop.
        sendNow = QThread::currentThread() == thread()
                && (event.kind == u"hook.end"_s || event.kind.startsWith(u"close."_s)
                    || event.kind == u"state"_s || m_pending.size() >= EventsPerFrame);
        if (!sendNow && !m_sendScheduled) {
            m_sendScheduled = true;
            QMetaObject::invokeMethod(this, &InspectionServer::sendPending, Qt::QueuedConnection);
        }
    }
    if (sendNow)
        sendPending();
}

void InspectionServer::sendPending()
{
    QList<TraceEvent> events;
    {
        QMutexLocker locker(&m_pendingMutex);
        events.swap(m_pending);
        m_sendScheduled = false;
    }
    if (events.isEmpty())
        return;
    for (const auto &client : m_clients) {
        if (client->subscribed && client->socket)
            sendEvents(client.get(), events);
    }
}

void InspectionServer::flush(std::chrono::milliseconds budget)
{
    sendPending();
    const QDeadlineTimer deadline(budget);
    for (const auto &client : m_clients) {
        while (client->socket && client->socket->bytesToWrite() > 0 && !deadline.hasExpired())
            client->socket->waitForBytesWritten(int(std::max<qint64>(deadline.remainingTime(), 1)));
    }
}

} // namespace Mortar::Internal
