// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/trace.h>

#include "traceeventfields_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

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
    Internal::forEachPresentTraceEventField(*this, [&object](const char *name, const auto &value) {
        object.insert(QLatin1StringView(name), value);
    });
    return object;
}

QByteArray TraceEvent::toJsonLine() const
{
    QByteArray line;
    line.reserve(160);
    JsonLineWriter writer(line);
    Internal::forEachPresentTraceEventField(*this, [&writer](const char *name, const auto &value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, QString>)
            writer.string(name, value);
        else
            writer.number(name, value);
    });
    for (auto it = extra.begin(); it != extra.end(); ++it)
        writer.value(it.key(), it.value());
    writer.finish();
    return line;
}

TraceEvent TraceEvent::fromJson(const QJsonObject &object)
{
    TraceEvent event;
    QSet<QString> known;
    Internal::forEachTraceEventField(event, [&](const char *name, auto &field, bool) {
        const QString key = QString::fromLatin1(name);
        known.insert(key);
        const auto found = object.constFind(key);
        if (found == object.constEnd())
            return;
        using Field = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<Field, QString>)
            field = found->toString();
        else if constexpr (Internal::IsOptionalField<Field>::value)
            field = typename Field::value_type(found->toInteger());
        else
            field = Field(found->toInteger());
    });
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            event.extra.insert(it.key(), it.value());
    }
    return event;
}

} // namespace Mortar
