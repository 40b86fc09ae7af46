// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/inspectionprotocol.h>
#include <mortar/trace.h>
#include <mortar/tracespans.h>

#include <QCborMap>
#include <QLocalSocket>
#include <QObject>

namespace Mortar::Inspector {

/*!
    \brief The inspector's end of the inspection protocol (docs/inspection-protocol.md): connects
    to a running app and turns its frames into hello, snapshot and batches of trace events — the
    same TraceEvents a trace file gives (TraceFile), so the views need not know where they come
    from: handler events completed with their handler's owner, source and weight
    (TraceHandlerResolver), from the snapshot and the handler.added events.
*/
class InspectorClient final : public QObject
{
    Q_OBJECT

public:
    explicit InspectorClient(QObject *parent = nullptr);
    ~InspectorClient() override;

    /*! Connects to the app listening on \a socketPath and authenticates with \a token. */
    void connectTo(const QString &socketPath, const QString &token);
    void requestClose();
    bool isConnected() const;

    /*! The token beside an app's socket (<socket>.token); empty if it cannot be read. */
    static QString readToken(const QString &socketPath);

Q_SIGNALS:
    void helloReceived(const QCborMap &hello);
    void snapshotReceived(const QCborMap &snapshot);
    void eventsReceived(const QList<Mortar::TraceEvent> &events);
    void missed(qint64 count);
    /*! The connection ended; \a reason is empty when the app simply went away. */
    void disconnected(const QString &reason);

private:
    void read();

    QLocalSocket m_socket;
    InspectionProtocol::FrameDecoder m_decoder;
    QString m_token;
    QString m_error;
    std::unique_ptr<TraceHandlerResolver> m_resolver; // one per connection
};

} // namespace Mortar::Inspector
