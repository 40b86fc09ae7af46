// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "protocolreader_p.h"
#include "traceeventfields_p.h"

#include <QCborStreamReader>
#include <QCborValue>
#include <QHash>

using namespace Qt::StringLiterals;

namespace Mortar::InspectionProtocol {

namespace {

/*!
    Reads one text string's UTF-8 bytes into \a out (reused from call to call, so that reading
    a million keys allocates nothing).
*/
bool readUtf8(QCborStreamReader &reader, QByteArray &out)
{
    out.resize(0);
    int idle = 0;
    for (;;) {
        const qsizetype chunk = std::max<qsizetype>(reader.currentStringChunkSize(), 0);
        const qsizetype before = out.size();
        out.resize(before + chunk);
        const auto result = reader.readStringChunk(out.data() + before, chunk);
        if (result.status == QCborStreamReader::Error || reader.lastError() != QCborError::NoError)
            return false;
        out.resize(before + std::max<qsizetype>(result.data, 0));
        if (result.status == QCborStreamReader::EndOfString)
            return true;
        // An empty string takes one call without progress before EndOfString; never more.
        if (chunk == 0 && result.data <= 0 && ++idle > 1)
            return false;
    }
}

/*! Reads an events array's events, one TraceEvent each, field by field. */
class EventReader
{
public:
    explicit EventReader(QCborStreamReader &reader) : m_reader(reader) { }

    bool readArray(QList<TraceEvent> &events)
    {
        if (m_reader.isLengthKnown())
            events.reserve(events.size() + qsizetype(m_reader.length()));
        if (!m_reader.enterContainer())
            return false;
        while (ok() && m_reader.hasNext()) {
            if (!m_reader.isMap()) {
                skip(); // not an event: nothing to show
                continue;
            }
            events.append(readEvent());
        }
        return ok() && m_reader.leaveContainer();
    }

    /*! The event of the map the reader is at. */
    TraceEvent readEvent()
    {
        TraceEvent event;
        m_reader.enterContainer();
        while (ok() && m_reader.hasNext()) {
            if (!m_reader.isString()) { // a key that is no string: not a field of ours
                skip();
                skip();
                continue;
            }
            if (!readUtf8(m_reader, m_key))
                break;
            readField(event);
        }
        if (ok())
            m_reader.leaveContainer();
        return event;
    }

private:
    bool ok() { return m_reader.lastError() == QCborError::NoError; }
    void skip() { (void)QCborValue::fromCbor(m_reader); }

    // The key is in m_key, the reader at its value. A known field of an unexpected type is
    // kept in extra as it came, like an unknown field (as TraceEvent::fromJson does).
    void readField(TraceEvent &event)
    {
        const QByteArrayView key(m_key);
        const bool isInteger = m_reader.isInteger();
        const bool isString = m_reader.isString();
        bool read = false;
        Internal::forEachTraceEventField(event, [&](const char *name, auto &field, bool repeats) {
            if (read || key != QByteArrayView(name))
                return;
            using Field = std::decay_t<decltype(field)>;
            if constexpr (std::is_same_v<Field, QString>) {
                if (!isString)
                    return;
                read = true;
                if (!readUtf8(m_reader, m_value))
                    return; // the reader's error ends the frame
                // The short strings that repeat from event to event share their memory.
                field = repeats ? intern(m_value) : QString::fromUtf8(m_value);
            } else {
                if (!isInteger)
                    return;
                read = true;
                if constexpr (Internal::IsOptionalField<Field>::value)
                    field = typename Field::value_type(m_reader.toInteger());
                else
                    field = Field(m_reader.toInteger());
                m_reader.next();
            }
        });
        if (!read)
            event.extra.insert(QString::fromUtf8(m_key),
                               QCborValue::fromCbor(m_reader).toJsonValue());
    }

    static QString intern(const QByteArray &utf8)
    {
        // Per thread, bounded: past the limit strings are still decoded, only not shared.
        thread_local QHash<QByteArray, QString> pool;
        constexpr qsizetype Limit = 100'000;
        // fromRawData: the lookup itself allocates nothing.
        if (const auto it = pool.constFind(QByteArray::fromRawData(utf8.constData(), utf8.size()));
            it != pool.constEnd())
            return *it;
        QString value = QString::fromUtf8(utf8);
        if (pool.size() < Limit)
            pool.insert(utf8, value); // a deep copy of the bytes: utf8 is a reused buffer
        return value;
    }

    QCborStreamReader &m_reader;
    QByteArray m_key;
    QByteArray m_value;
};

/*! Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF — what
    Qt's CBOR parser accepts in a text string. */
bool isValidUtf8(const uchar *bytes, qsizetype size)
{
    qsizetype i = 0;
    while (i < size) {
        const uchar lead = bytes[i];
        int length = 0;
        char32_t point = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if ((lead & 0xe0) == 0xc0) {
            length = 2;
            point = lead & 0x1f;
        } else if ((lead & 0xf0) == 0xe0) {
            length = 3;
            point = lead & 0x0f;
        } else if ((lead & 0xf8) == 0xf0) {
            length = 4;
            point = lead & 0x07;
        } else {
            return false;
        }
        if (size - i < length)
            return false;
        for (int k = 1; k < length; ++k) {
            if ((bytes[i + k] & 0xc0) != 0x80)
                return false;
            point = point << 6 | (bytes[i + k] & 0x3f);
        }
        constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (point < smallest[length] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff))
            return false;
        i += length;
    }
    return true;
}

/*!
    The offset just past the CBOR item at \a pos, or -1 if it is cut short or malformed. The
    structure and the text strings' UTF-8 are checked: so QCborStreamReader never meets the end
    of the data in the middle of an item, where Qt 6.4's reader can loop forever, and the frames
    refused are those QCborValue::fromCbor() refuses (both found by the fuzzer).
*/
qsizetype skipItem(const uchar *bytes, qsizetype size, qsizetype pos, int depth = 0)
{
    if (depth > 1024 || pos >= size)
        return -1;
    const uchar initial = bytes[pos++];
    const int major = initial >> 5;
    const int info = initial & 0x1f;
    quint64 argument = 0;
    const bool indefinite = info == 31;
    if (info < 24) {
        argument = quint64(info);
    } else if (info <= 27) {
        const int length = 1 << (info - 24);
        if (size - pos < length)
            return -1;
        for (int i = 0; i < length; ++i)
            argument = argument << 8 | bytes[pos++];
    } else if (!indefinite || major < 2 || major == 6 || major == 7) {
        return -1; // reserved, or a break (or an indefinite length) where none may be
    }
    switch (major) {
    case 0: // unsigned and negative integers
    case 1: return pos;
    case 2: // byte and text strings
    case 3:
        if (!indefinite) {
            if (argument > quint64(size - pos))
                return -1;
            if (major == 3 && !isValidUtf8(bytes + pos, qsizetype(argument)))
                return -1;
            return pos + qsizetype(argument);
        }
        for (;;) { // definite-length chunks of the same type, until a break
            if (pos >= size)
                return -1;
            if (bytes[pos] == 0xff)
                return pos + 1;
            if (bytes[pos] >> 5 != major || (bytes[pos] & 0x1f) == 31)
                return -1;
            if ((pos = skipItem(bytes, size, pos, depth + 1)) < 0)
                return -1;
        }
    case 4: // arrays and maps
    case 5:
        if (!indefinite) {
            if (argument > quint64(size - pos)) // every item takes a byte at least
                return -1;
            const quint64 items = major == 5 ? 2 * argument : argument;
            for (quint64 i = 0; i < items; ++i) {
                if ((pos = skipItem(bytes, size, pos, depth + 1)) < 0)
                    return -1;
            }
            return pos;
        }
        for (qsizetype count = 0;; ++count) {
            if (pos >= size)
                return -1;
            if (bytes[pos] == 0xff)
                return major == 5 && count % 2 ? -1 : pos + 1;
            if ((pos = skipItem(bytes, size, pos, depth + 1)) < 0)
                return -1;
        }
    case 6: return skipItem(bytes, size, pos, depth + 1); // a tag and its item
    default: return pos;                                  // simple values and floats
    }
}

QString cborError(QCborStreamReader &reader)
{
    return u"a frame is not valid CBOR: %1"_s.arg(reader.lastError().toString());
}

} // namespace

TraceEvent eventFromCbor(const QCborMap &map)
{
    // The one event decoder, also for an event that is already a map (rarely the case).
    const QByteArray bytes = map.toCborValue().toCbor();
    QCborStreamReader reader(bytes);
    return EventReader(reader).readEvent();
}

QString readMessage(const QByteArray &body, Message &message)
{
    const qsizetype end =
            skipItem(reinterpret_cast<const uchar *>(body.constData()), body.size(), 0);
    if (end < 0)
        return u"a frame is not valid CBOR: it is cut short or malformed"_s;
    if (end != body.size())
        return u"a frame holds more than one CBOR value"_s;
    QCborStreamReader reader(body);
    if (reader.lastError() != QCborError::NoError)
        return cborError(reader);
    if (!reader.isMap()) {
        // Not a map, or not even CBOR: say which, as next() does.
        (void)QCborValue::fromCbor(reader);
        return reader.lastError() != QCborError::NoError ? cborError(reader)
                                                         : u"a frame is not a CBOR map"_s;
    }
    reader.enterContainer();
    QByteArray key;
    while (reader.lastError() == QCborError::NoError && reader.hasNext()) {
        if (!reader.isString()) {
            const QCborValue otherKey = QCborValue::fromCbor(reader);
            message.map.insert(otherKey, QCborValue::fromCbor(reader));
            continue;
        }
        if (!readUtf8(reader, key))
            break;
        if (key == "events" && reader.isArray()) {
            EventReader(reader).readArray(message.events);
            continue;
        }
        message.map.insert(QString::fromUtf8(key), QCborValue::fromCbor(reader));
    }
    if (reader.lastError() == QCborError::NoError)
        reader.leaveContainer();
    if (reader.lastError() != QCborError::NoError)
        return cborError(reader);
    if (reader.currentOffset() != body.size())
        return u"a frame holds more than one CBOR value"_s;
    return {};
}

} // namespace Mortar::InspectionProtocol
