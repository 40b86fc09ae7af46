// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectorclient.h"

#include <mortar/inspectionprotocol.h>

#include <QCborArray>
#include <QFile>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

InspectorClient::InspectorClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QLocalSocket::connected, this, [this] {
        m_socket.write(
                InspectionProtocol::encodeFrame({{u"type"_s, u"hello"_s}, {u"token"_s, m_token}}));
    });
    connect(&m_socket, &QLocalSocket::readyRead, this, &InspectorClient::read);
    connect(&m_socket, &QLocalSocket::disconnected, this, [this] {
        if (m_socket.bytesAvailable() > 0)
            read(); // whatever arrived last
        Q_EMIT disconnected(m_error);
    });
    connect(&m_socket, &QLocalSocket::errorOccurred, this,
            [this](QLocalSocket::LocalSocketError error) {
                if (error != QLocalSocket::PeerClosedError
                    && m_socket.state() == QLocalSocket::UnconnectedState)
                    Q_EMIT disconnected(m_socket.errorString());
            });
}

InspectorClient::~InspectorClient()
{
    // ~QLocalSocket still emits disconnected(); by then the decoder is gone.
    m_socket.disconnect(this);
}

QString InspectorClient::readToken(const QString &socketPath)
{
    QFile file(InspectionProtocol::tokenPath(socketPath));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.readAll()).trimmed();
}

void InspectorClient::connectTo(const QString &socketPath, const QString &token)
{
    m_token = token;
    m_error.clear();
    m_decoder = {};
    m_resolver = std::make_unique<TraceHandlerResolver>();
    m_socket.connectToServer(socketPath);
}

void InspectorClient::requestClose()
{
    m_socket.write(InspectionProtocol::encodeFrame({{u"type"_s, u"requestClose"_s}}));
    m_socket.flush(); // now: the caller may wait for the app's end without an event loop
}

bool InspectorClient::isConnected() const
{
    return m_socket.state() == QLocalSocket::ConnectedState;
}

void InspectorClient::read()
{
    m_decoder.feed(m_socket.readAll());
    // nextMessage(): an events message's events are decoded straight from the frame.
    while (std::optional<InspectionProtocol::Message> message = m_decoder.nextMessage()) {
        const QString type = message->type();
        if (type == u"hello"_s) {
            Q_EMIT helloReceived(message->map);
        } else if (type == u"snapshot"_s) {
            // The registered handlers: what a begin names when its handler.added was dropped
            // from the app's trace (capacity) before the inspector attached.
            for (const QCborValue &hookValue : message->map.value(u"hooks"_s).toArray()) {
                const QCborMap hook = hookValue.toMap();
                const QString hookName = hook.value(u"name"_s).toString();
                for (const QCborValue &handlerValue : hook.value(u"handlers"_s).toArray()) {
                    const QCborMap handler = handlerValue.toMap();
                    m_resolver->addRegistration(hookName, handler.value(u"name"_s).toString(),
                                                int(handler.value(u"weight"_s).toInteger()),
                                                handler.value(u"owner"_s).toString(),
                                                handler.value(u"source"_s).toString());
                }
            }
            Q_EMIT snapshotReceived(message->map);
        } else if (type == u"events"_s) {
            for (TraceEvent &event : message->events)
                m_resolver->resolve(event);
            Q_EMIT eventsReceived(message->events);
        } else if (type == u"missed"_s) {
            Q_EMIT missed(message->map.value(u"count"_s).toInteger());
        } else if (type == u"error"_s) {
            m_error = message->map.value(u"message"_s).toString();
        }
        // "live" and messages of later protocol versions need nothing here.
    }
    if (m_decoder.hasError()) {
        m_error = u"the app sent a bad frame: %1"_s.arg(m_decoder.errorString());
        m_socket.abort();
    }
}

} // namespace Mortar::Inspector
