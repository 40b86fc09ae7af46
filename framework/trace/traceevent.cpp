// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/trace.h>

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {
void appendJsonString(QByteArray &out, const QString &value)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const QByteArray utf8 = value.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (byte < 0x20) {
                out += "\\u00";
                out += hex[byte >> 4];
                out += hex[byte & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}
} // namespace Internal

namespace {

// The trace file is written with this small writer rather than QJsonDocument: it is several times
// faster, and the file sink writes every event. tst_trace checks that both give the same objects.
class JsonLineWriter
{
public:
    explicit JsonLineWriter(QByteArray &out) : m_out(out) { m_out += '{'; }
    void finish() { m_out += "}\n"; }

    void key(const char *name)
    {
        if (m_needsComma)
            m_out += ',';
        m_needsComma = true;
        m_out += '"';
        m_out += name;
        m_out += "\":";
    }
    void string(const char *name, const QString &value)
    {
        if (value.isEmpty())
            return;
        key(name);
        appendString(value);
    }
    void number(const char *name, qint64 value)
    {
        key(name);
        m_out += QByteArray::number(value);
    }
    void value(const QString &name, const QJsonValue &value)
    {
        if (m_needsComma)
            m_out += ',';
        m_needsComma = true;
        appendString(name);
        m_out += ':';
        switch (value.type()) {
        case QJsonValue::String: appendString(value.toString()); break;
        case QJsonValue::Bool: m_out += value.toBool() ? "true" : "false"; break;
        case QJsonValue::Double: {
            const double number = value.toDouble();
            if (number == double(qint64(number)))
                m_out += QByteArray::number(qint64(number));
            else
                m_out += QByteArray::number(number, 'g', 17);
            break;
        }
        case QJsonValue::Array:
            m_out += QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
            break;
        case QJsonValue::Object:
            m_out += QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
            break;
        default: m_out += "null";
        }
    }

private:
    void appendString(const QString &value) { Internal::appendJsonString(m_out, value); }

    QByteArray &m_out;
    bool m_needsComma = false;
};

} // namespace

QJsonObject TraceEvent::toJson() const
{
    QJsonObject object = extra;
    object.insert(u"seq"_s, seq);
    object.insert(u"t"_s, t);
    object.insert(u"thread"_s, thread);
    object.insert(u"kind"_s, kind);
    const auto insertString = [&object](const QString &key, const QString &value) {
        if (!value.isEmpty())
            object.insert(key, value);
    };
    insertString(u"hook"_s, hook);
    insertString(u"handler"_s, handler);
    if (weight)
        object.insert(u"weight"_s, *weight);
    insertString(u"owner"_s, owner);
    insertString(u"source"_s, source);
    insertString(u"status"_s, status);
    insertString(u"error"_s, error);
    if (durationNs)
        object.insert(u"durationNs"_s, *durationNs);
    insertString(u"message"_s, message);
    if (code)
        object.insert(u"code"_s, *code);
    return object;
}

QByteArray TraceEvent::toJsonLine() const
{
    QByteArray line;
    line.reserve(160);
    JsonLineWriter writer(line);
    writer.number("seq", seq);
    writer.number("t", t);
    writer.number("thread", thread);
    writer.string("kind", kind);
    writer.string("hook", hook);
    writer.string("handler", handler);
    if (weight)
        writer.number("weight", *weight);
    writer.string("owner", owner);
    writer.string("source", source);
    writer.string("status", status);
    writer.string("error", error);
    if (durationNs)
        writer.number("durationNs", *durationNs);
    writer.string("message", message);
    if (code)
        writer.number("code", *code);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        writer.value(it.key(), it.value());
    writer.finish();
    return line;
}

TraceEvent TraceEvent::fromJson(const QJsonObject &object)
{
    static const QStringList known = {u"seq"_s,     u"t"_s,       u"thread"_s, u"kind"_s,
                                      u"hook"_s,    u"handler"_s, u"weight"_s, u"owner"_s,
                                      u"source"_s,  u"status"_s,  u"error"_s,  u"durationNs"_s,
                                      u"message"_s, u"code"_s};
    TraceEvent event;
    event.seq = object.value(u"seq"_s).toInteger();
    event.t = object.value(u"t"_s).toInteger();
    event.thread = object.value(u"thread"_s).toInt();
    event.kind = object.value(u"kind"_s).toString();
    event.hook = object.value(u"hook"_s).toString();
    event.handler = object.value(u"handler"_s).toString();
    if (object.contains(u"weight"_s))
        event.weight = object.value(u"weight"_s).toInt();
    event.owner = object.value(u"owner"_s).toString();
    event.source = object.value(u"source"_s).toString();
    event.status = object.value(u"status"_s).toString();
    event.error = object.value(u"error"_s).toString();
    if (object.contains(u"durationNs"_s))
        event.durationNs = object.value(u"durationNs"_s).toInteger();
    event.message = object.value(u"message"_s).toString();
    if (object.contains(u"code"_s))
        event.code = object.value(u"code"_s).toInt();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            event.extra.insert(it.key(), it.value());
    }
    return event;
}

} // namespace Mortar
