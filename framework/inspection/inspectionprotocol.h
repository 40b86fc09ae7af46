// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/trace.h>

#include <QByteArray>
#include <QCborMap>
#include <QList>
#include <QString>

#include <optional>

/*!
    \brief The inspection protocol's wire format (docs/inspection-protocol.md): frames of a
    4-byte big-endian length followed by that many bytes of one CBOR map; at most MaxFrameSize.
*/
namespace Mortar::InspectionProtocol {

constexpr int Version = 1;
/*! 1 MiB (spec §10.1): a peer announcing more is dropped before anything is allocated for it.
    What may be larger travels in several frames: events in batches, the snapshot in parts. */
constexpr qsizetype MaxFrameSize = 1 << 20;

/*! Where apps listen: <runtime dir>/mortar (QStandardPaths::RuntimeLocation); empty if the user
    has no runtime directory. The server creates it 0700. */
MORTAR_EXPORT QString socketDirectory();
/*! The socket of the App labelled \a label with process id \a pid, in socketDirectory(). */
MORTAR_EXPORT QString socketName(const QString &label, qint64 pid);
/*! The token file beside a socket (0600): what an inspector that did not launch the app reads. */
inline QString tokenPath(const QString &socketPath)
{
    return socketPath + QLatin1StringView(".token");
}
/*! A new per-run token: 32 random bytes from the system's generator, as 64 hex digits. */
MORTAR_EXPORT QString newToken();

/*! One frame for \a message; empty if it would be larger than MaxFrameSize. */
MORTAR_EXPORT QByteArray encodeFrame(const QCborMap &message);

/*! A trace event as it travels: the same fields as TraceEvent::toJson(). */
MORTAR_EXPORT QCborMap eventToCbor(const TraceEvent &event);
/*!
    The event \a map holds; unknown fields land in \c extra. The short strings that repeat from
    event to event (kind, hook, handler, owner, source, status) share their memory with earlier
    events decoded in the same thread, which keeps a million decoded events small.
*/
MORTAR_EXPORT TraceEvent eventFromCbor(const QCborMap &map);

/*!
    Appends frames of \c events messages for \a events to \a out, each with at most
    \a perFrame events and well below MaxFrameSize; written directly as CBOR, without building
    maps first (the server's hot path). An event too large for any frame is left out and
    counted in \a skipped.
*/
MORTAR_EXPORT void appendEventFrames(QByteArray &out, const QList<TraceEvent> &events,
                                     qsizetype perFrame, qint64 *skipped = nullptr);

/*! A message as FrameDecoder::nextMessage() gives it. */
struct Message
{
    /*! The message's map; for an \c events message, without its \c events array. */
    QCborMap map;
    /*! An \c events message's events, decoded straight from the frame's bytes. */
    QList<TraceEvent> events;

    QString type() const { return map.value(QLatin1StringView("type")).toString(); }
};

/*!
    \brief Cuts a byte stream into messages. Feed it what arrives; take messages while there are.

    A frame announcing more than MaxFrameSize, or whose body is not exactly one CBOR map, is an
    error: decoding stops for good (the connection is to be closed), and errorString() says why.
*/
class MORTAR_EXPORT FrameDecoder final
{
public:
    void feed(const QByteArray &bytes);
    /*! The next complete message, if one has arrived. */
    std::optional<QCborMap> next();
    /*!
        Like next(), for the inspector's side: the events of an \c events message are decoded
        while the frame is read, without building a QCborMap of each first (several times
        faster for the million events of a long run). Same errors as next().
    */
    std::optional<Message> nextMessage();
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    /*! Bytes received but not yet part of a complete frame. */
    qsizetype pendingBytes() const { return m_buffer.size() - m_offset; }

private:
    /*! The next frame's body, once it has arrived whole; sets the error for an oversized one. */
    std::optional<QByteArray> nextBody();

    QByteArray m_buffer;
    qsizetype m_offset = 0;
    QString m_error;
};

} // namespace Mortar::InspectionProtocol
