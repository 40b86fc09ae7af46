// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/inspectionprotocol.h>

#include <QCborValue>
#include <QJsonObject>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace Mortar::InspectionProtocol {

QByteArray encodeFrame(const QCborMap &message)
{
    const QByteArray body = message.toCborValue().toCbor();
    if (body.size() > MaxFrameSize)
        return {};
    QByteArray frame(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(body.size()), frame.data());
    return frame + body;
}

QCborMap eventToCbor(const TraceEvent &event)
{
    return QCborMap::fromJsonObject(event.toJson());
}

TraceEvent eventFromCbor(const QCborMap &map)
{
    return TraceEvent::fromJson(map.toJsonObject());
}

void FrameDecoder::feed(const QByteArray &bytes)
{
    if (hasError())
        return;
    if (m_offset > 0 && m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    m_buffer += bytes;
}

std::optional<QCborMap> FrameDecoder::next()
{
    if (hasError() || pendingBytes() < 4)
        return std::nullopt;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_offset);
    if (length > quint32(MaxFrameSize)) {
        m_error = u"a frame of %1 bytes is larger than the limit of %2"_s.arg(length).arg(
                MaxFrameSize);
        return std::nullopt;
    }
    if (pendingBytes() < 4 + qsizetype(length))
        return std::nullopt;
    const QByteArray body = m_buffer.mid(m_offset + 4, length);
    m_offset += 4 + qsizetype(length);
    if (m_offset > 64 * 1024 && m_offset * 2 > m_buffer.size()) { // keep the buffer small
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(body, &error);
    if (error.error != QCborError::NoError) {
        m_error = u"a frame is not valid CBOR: %1"_s.arg(error.errorString());
        return std::nullopt;
    }
    if (error.offset != body.size()) {
        m_error = u"a frame holds more than one CBOR value"_s;
        return std::nullopt;
    }
    if (!value.isMap()) {
        m_error = u"a frame is not a CBOR map"_s;
        return std::nullopt;
    }
    return value.toMap();
}

} // namespace Mortar::InspectionProtocol
