// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "tracefile.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

Result TraceFile::load(const QString &path)
{
    m_header = {};
    m_events.clear();
    m_problems.clear();

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(
                u"Unable to read the trace file %1: %2"_s.arg(path, file.errorString()));

    qsizetype lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        ++lineNumber;
        if (!line.endsWith('\n'))
            break; // cut short while being written: the process ended mid-line
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            if (lineNumber == 1)
                return Result::failure(
                        u"%1 is not a Mortar trace file: its first line is not a JSON object"_s.arg(
                                path));
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
        m_events.append(TraceEvent::fromJson(document.object()));
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
    // Each line exactly as an app's trace file sink writes it (TraceEvent::toJsonLine()).
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
