// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "tracefile.h"

#include <mortar/tracespans.h>

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cstring>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {

/*!
    Reads the lines of a trace file into TraceEvents, fast: a trace of a big close has a million
    lines, and QJsonDocument per line plus a fresh QString per field cost seconds and hundreds of
    megabytes. The lines are flat JSON objects (docs/trace-format.md); this reads them directly
    and interns the strings that repeat (kinds, hooks, handler names, owners, sources, statuses),
    so a handler's begin and end share one copy of its name. A line it cannot read simply (a
    nested value, an unusual escape) goes through QJsonDocument instead.
*/
class LineReader
{
public:
    /*! False if \a line is not a flat JSON object this reader understands. */
    bool read(const char *begin, const char *end, TraceEvent *event)
    {
        m_p = begin;
        m_end = end;
        *event = TraceEvent();
        skipSpace();
        if (!consume('{'))
            return false;
        skipSpace();
        if (consume('}'))
            return true;
        for (;;) {
            skipSpace();
            QByteArrayView key;
            bool escaped = false;
            if (!rawString(&key, &escaped) || escaped)
                return false;
            skipSpace();
            if (!consume(':'))
                return false;
            skipSpace();
            if (!value(key, event))
                return false;
            skipSpace();
            if (consume(','))
                continue;
            if (consume('}'))
                break;
            return false;
        }
        skipSpace();
        // Kind-specific fields repeat from line to line (a log line's level and category, a
        // deferred handler's flag): equal ones share one object.
        if (!event->extra.isEmpty()) {
            if (event->extra == m_lastExtra)
                event->extra = m_lastExtra;
            else
                m_lastExtra = event->extra;
        }
        return m_p == m_end;
    }

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\r' || *m_p == '\n'))
            ++m_p;
    }
    bool consume(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    // The bytes between the quotes; \a escaped if there is a backslash among them.
    bool rawString(QByteArrayView *out, bool *escaped)
    {
        if (!consume('"'))
            return false;
        const char *start = m_p;
        while (m_p < m_end && *m_p != '"') {
            if (*m_p == '\\') {
                *escaped = true;
                ++m_p;
            }
            ++m_p;
        }
        if (m_p >= m_end)
            return false;
        *out = QByteArrayView(start, m_p - start);
        ++m_p;
        return true;
    }
    // A field's last value: a handler's begin and end are neighbours, and kind, hook, owner,
    // source and status repeat from line to line, so most strings are found without hashing.
    struct Last
    {
        QByteArray raw;
        QString text;
    };
    QString string(QByteArrayView raw, bool escaped, Last *last = nullptr)
    {
        if (escaped) {
            // Rare (a quote or a newline in a message): let Qt's parser unescape it.
            const QByteArray document = "[\"" + raw.toByteArray() + "\"]";
            return QJsonDocument::fromJson(document).array().at(0).toString();
        }
        if (!last)
            return QString::fromUtf8(raw);
        if (QByteArrayView(last->raw) == raw)
            return last->text;
        const QByteArray key = QByteArray::fromRawData(raw.data(), raw.size());
        auto it = m_strings.constFind(key);
        if (it == m_strings.cend())
            it = m_strings.insert(raw.toByteArray(), QString::fromUtf8(raw));
        last->raw = it.key();
        last->text = *it;
        return last->text;
    }
    bool number(qint64 *out, bool *isInteger, double *real)
    {
        const char *start = m_p;
        while (m_p < m_end
               && ((*m_p >= '0' && *m_p <= '9') || *m_p == '-' || *m_p == '+' || *m_p == '.'
                   || *m_p == 'e' || *m_p == 'E'))
            ++m_p;
        const QByteArrayView text(start, m_p - start);
        bool ok = false;
        *out = text.toLongLong(&ok);
        *isInteger = ok;
        if (!ok)
            *real = text.toDouble(&ok);
        return ok;
    }
    bool value(QByteArrayView key, TraceEvent *event)
    {
        if (m_p >= m_end)
            return false;
        const char c = *m_p;
        if (c == '"') {
            QByteArrayView raw;
            bool escaped = false;
            if (!rawString(&raw, &escaped))
                return false;
            if (key == "kind")
                event->kind = string(raw, escaped, &m_kind);
            else if (key == "hook")
                event->hook = string(raw, escaped, &m_hook);
            else if (key == "handler")
                event->handler = handler(raw, escaped);
            else if (key == "owner")
                event->owner = string(raw, escaped, &m_owner);
            else if (key == "source")
                event->source = string(raw, escaped, &m_source);
            else if (key == "status")
                event->status = string(raw, escaped, &m_status);
            else if (key == "error")
                event->error = string(raw, escaped, &m_error);
            else if (key == "message")
                event->message = string(raw, escaped);
            else
                event->extra.insert(QString::fromUtf8(key), string(raw, escaped, &m_extra));
            return true;
        }
        if (c == '{' || c == '[')
            return false; // nested: QJsonDocument reads it
        if (c == 't' || c == 'f' || c == 'n') {
            const QByteArrayView word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            if (QByteArrayView(m_p, std::min<qsizetype>(m_end - m_p, word.size())) != word)
                return false;
            m_p += word.size();
            if (c != 'n')
                event->extra.insert(QString::fromUtf8(key), c == 't');
            else
                event->extra.insert(QString::fromUtf8(key), QJsonValue::Null);
            return true;
        }
        qint64 integer = 0;
        double real = 0;
        bool isInteger = false;
        if (!number(&integer, &isInteger, &real))
            return false;
        if (!isInteger) {
            event->extra.insert(QString::fromUtf8(key), real);
            return true;
        }
        if (key == "seq")
            event->seq = integer;
        else if (key == "t")
            event->t = integer;
        else if (key == "thread")
            event->thread = int(integer);
        else if (key == "weight")
            event->weight = int(integer);
        else if (key == "durationNs")
            event->durationNs = integer;
        else if (key == "code")
            event->code = int(integer);
        else
            event->extra.insert(QString::fromUtf8(key), integer);
        return true;
    }

    // Handler names are mostly unique: not worth a hash of half a million, but the end of a
    // handler follows its begin, and a deferral's end comes soon after.
    QString handler(QByteArrayView raw, bool escaped)
    {
        if (escaped)
            return string(raw, escaped);
        for (Last &recent : m_handlers) {
            if (QByteArrayView(recent.raw) == raw)
                return recent.text;
        }
        Last &slot = m_handlers[m_nextHandler++ % std::size(m_handlers)];
        slot.raw = raw.toByteArray();
        slot.text = QString::fromUtf8(raw);
        return slot.text;
    }

    const char *m_p = nullptr;
    const char *m_end = nullptr;
    QHash<QByteArray, QString> m_strings;
    Last m_kind, m_hook, m_owner, m_source, m_status, m_error, m_extra;
    Last m_handlers[8];
    QJsonObject m_lastExtra;
    unsigned m_nextHandler = 0;
};

} // namespace

Result TraceFile::load(const QString &path, std::atomic<qint64> *progress)
{
    m_header = {};
    m_events.clear();
    m_problems.clear();

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(
                u"Unable to read the trace file %1: %2"_s.arg(path, file.errorString()));
    // Read in blocks, each line parsed where it lies: neither the whole file (160 MB for a
    // million events) nor a QByteArray per line is held.
    constexpr qint64 BlockSize = 4 << 20;
    // About 160 bytes a line: reserve once rather than grow (and copy) a million-event list.
    m_events.reserve(qsizetype(file.size() / 150) + 16);
    LineReader reader;
    // A handler's owner, source and weight are written once (on its handler.added and begin):
    // every event gets them, so the views read them where older files had them.
    TraceHandlerResolver resolver;
    qsizetype lineNumber = 0;
    QByteArray block;
    qsizetype carried = 0; // bytes of an unfinished line at the start of block
    for (;;) {
        block.resize(carried + BlockSize);
        const qint64 read = file.read(block.data() + carried, BlockSize);
        if (read <= 0)
            break;
        if (progress)
            progress->store(file.pos(), std::memory_order_relaxed);
        const char *data = block.constData();
        const char *const end = data + carried + read;
        const char *line = data;
        while (line < end) {
            const char *newline = static_cast<const char *>(std::memchr(line, '\n', end - line));
            if (!newline)
                break; // the rest comes with the next block
            ++lineNumber;
            const char *lineEnd = newline;
            const char *next = newline + 1;
            if (lineNumber > 1) {
                TraceEvent event;
                if (reader.read(line, lineEnd, &event)) {
                    resolver.resolve(event);
                    m_events.append(std::move(event));
                    line = next;
                    continue;
                }
            }
            QJsonParseError error;
            const QJsonDocument document =
                    QJsonDocument::fromJson(QByteArray::fromRawData(line, lineEnd - line), &error);
            line = next;
            if (error.error != QJsonParseError::NoError || !document.isObject()) {
                if (lineNumber == 1)
                    return Result::failure(
                            u"%1 is not a Mortar trace file: its first line is not a JSON object"_s
                                    .arg(path));
                m_problems.append(u"line %1: %2"_s.arg(lineNumber)
                                          .arg(error.error != QJsonParseError::NoError
                                                       ? error.errorString()
                                                       : u"not a JSON object"_s));
                continue;
            }
            if (lineNumber == 1) {
                m_header = document.object();
                if (m_header.value(u"format"_s).toString() != u"mortar-trace"_s)
                    return Result::failure(
                            u"%1 is not a Mortar trace file: its header has no \"format\":\"mortar-trace\""_s
                                    .arg(path));
                continue;
            }
            TraceEvent event = TraceEvent::fromJson(document.object());
            resolver.resolve(event);
            m_events.append(std::move(event));
        }
        // A line cut short while being written (the process ended mid-line) stays behind.
        carried = end - line;
        std::memmove(block.data(), line, carried);
    }
    if (lineNumber == 0)
        return Result::failure(u"%1 is not a Mortar trace file: it is empty"_s.arg(path));
    return Result::success();
}

QString TraceFile::label() const
{
    return m_header.value(u"label"_s).toString();
}

qint64 TraceFile::pid() const
{
    return m_header.value(u"pid"_s).toInteger();
}

QJsonObject TraceFile::header(const QString &label, qint64 pid)
{
    return {{u"format"_s, u"mortar-trace"_s},
            {u"version"_s, 1},
            {u"label"_s, label},
            {u"pid"_s, pid}};
}

Result TraceFile::save(const QString &path, const QJsonObject &header,
                       const QList<TraceEvent> &events)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, file.errorString()));
    // Each line as TraceEvent::toJsonLine() writes it; handler events as they were read, with
    // what the resolver completed (version 1 allows both).
    QByteArray buffer = QJsonDocument(header).toJson(QJsonDocument::Compact) + '\n';
    for (const TraceEvent &event : events) {
        buffer += event.toJsonLine();
        if (buffer.size() >= 1 << 20) {
            if (file.write(buffer) < 0)
                break;
            buffer.clear();
        }
    }
    if (file.write(buffer) < 0 || !file.commit())
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, file.errorString()));
    return Result::success();
}

} // namespace Mortar::Inspector
