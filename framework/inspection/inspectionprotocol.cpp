// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/inspectionprotocol.h>

#include "protocolreader_p.h"
#include "traceeventfields_p.h"

#include <QBuffer>
#include <QCborArray>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QDir>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QStandardPaths>
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

QString socketDirectory()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return base.isEmpty() ? QString() : QDir(base).filePath(u"mortar"_s);
}

QString socketName(const QString &label, qint64 pid)
{
    return u"%1-%2"_s.arg(label).arg(pid);
}

QString newToken()
{
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / 4);
    return QString::fromLatin1(random.toHex());
}

namespace {

// The fields of TraceEvent::toJson(), in its order (traceeventfields_p.h), written straight to a
// CBOR stream.
void writeEvent(QCborStreamWriter &writer, const TraceEvent &event)
{
    writer.startMap(); // indefinite length: which optional fields are present is found on the way
    Internal::forEachPresentTraceEventField(event, [&writer](const char *name, const auto &value) {
        writer.append(QLatin1StringView(name));
        writer.append(value);
    });
    for (auto it = event.extra.constBegin(); it != event.extra.constEnd(); ++it) {
        writer.append(it.key());
        QCborValue::fromJsonValue(it.value()).toCbor(writer);
    }
    writer.endMap();
}

} // namespace

QCborMap eventToCbor(const TraceEvent &event)
{
    QByteArray bytes;
    {
        QBuffer device(&bytes);
        device.open(QIODevice::WriteOnly);
        QCborStreamWriter writer(&device);
        writeEvent(writer, event);
    }
    return QCborValue::fromCbor(bytes).toMap();
}

void appendEventFrames(QByteArray &out, const QList<TraceEvent> &events, qsizetype perFrame,
                       qint64 *skipped)
{
    // Frames are cut well below the limit, so that one more event never crosses it: an event
    // is at most its strings (3 bytes of UTF-8 per UTF-16 unit at worst) plus small fields.
    constexpr qsizetype Target = MaxFrameSize / 4;
    const auto worstCaseSize = [](const TraceEvent &event) {
        return 3
                * (event.kind.size() + event.hook.size() + event.handler.size() + event.owner.size()
                   + event.source.size() + event.status.size() + event.error.size()
                   + event.message.size())
                + 64 * (event.extra.size() + 16);
    };
    qsizetype next = 0;
    while (next < events.size()) {
        const qsizetype frameStart = out.size();
        out.append(4, '\0'); // the length, filled in below
        const qsizetype bodyStart = out.size();
        {
            QBuffer device(&out);
            device.open(QIODevice::WriteOnly | QIODevice::Append);
            QCborStreamWriter writer(&device);
            writer.startMap(2);
            writer.append("type"_L1);
            writer.append("events"_L1);
            writer.append("events"_L1);
            writer.startArray(); // indefinite length: the frame ends where it is full
            qsizetype inFrame = 0;
            while (next < events.size() && inFrame < perFrame && out.size() - bodyStart < Target) {
                const TraceEvent &event = events.at(next++);
                if (worstCaseSize(event) > MaxFrameSize - Target - 64) {
                    if (skipped)
                        ++*skipped; // this one event alone could not travel
                    continue;
                }
                writeEvent(writer, event);
                ++inFrame;
            }
            writer.endArray();
            writer.endMap();
        }
        qToBigEndian<quint32>(quint32(out.size() - bodyStart), out.data() + frameStart);
    }
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

std::optional<QByteArray> FrameDecoder::nextBody()
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
    QByteArray body = m_buffer.mid(m_offset + 4, length);
    m_offset += 4 + qsizetype(length);
    if (m_offset > 64 * 1024 && m_offset * 2 > m_buffer.size()) { // keep the buffer small
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    return body;
}

std::optional<QCborMap> FrameDecoder::next()
{
    const std::optional<QByteArray> body = nextBody();
    if (!body)
        return std::nullopt;
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(*body, &error);
    if (error.error != QCborError::NoError) {
        m_error = u"a frame is not valid CBOR: %1"_s.arg(error.errorString());
        return std::nullopt;
    }
    if (error.offset != body->size()) {
        m_error = u"a frame holds more than one CBOR value"_s;
        return std::nullopt;
    }
    if (!value.isMap()) {
        m_error = u"a frame is not a CBOR map"_s;
        return std::nullopt;
    }
    return value.toMap();
}

std::optional<Message> FrameDecoder::nextMessage()
{
    const std::optional<QByteArray> body = nextBody();
    if (!body)
        return std::nullopt;
    Message message;
    if (const QString error = readMessage(*body, message); !error.isEmpty()) {
        m_error = error;
        return std::nullopt;
    }
    return message;
}

} // namespace Mortar::InspectionProtocol
