// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Helpers shared by the system tests: the environment of a child process, and reading the trace
// file it wrote.
#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

#include <algorithm>
#include <functional>

namespace SystemTest {

using namespace Qt::StringLiterals;

/*! The test's environment for a child, made predictable: Qt's default message pattern
    ("category: message") on stderr, and no trace file unless a test asks for one. */
inline QProcessEnvironment childEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"QT_MESSAGE_PATTERN"_s);
    environment.remove(u"QT_LOGGING_RULES"_s);
    environment.remove(u"MORTAR_TRACE"_s);
    environment.remove(u"MORTAR_INSPECT"_s);
    // Without a terminal Qt may log to the system log instead of stderr; the tests read stderr.
    environment.insert(u"QT_FORCE_STDERR_LOGGING"_s, u"1"_s);
    return environment;
}

/*! A human-readable account of how a finished child ended, for failure messages. */
inline QString describe(QProcess &process, const QByteArray &out, const QByteArray &err)
{
    return u"%1 %2: exit status %3, exit code %4, error '%5'\n--- stdout:\n%6\n--- stderr:\n%7"_s
            .arg(process.program(), process.arguments().join(u' '))
            .arg(process.exitStatus() == QProcess::NormalExit ? u"normal"_s : u"crashed"_s)
            .arg(process.exitCode())
            .arg(process.errorString(), QString::fromLocal8Bit(out), QString::fromLocal8Bit(err));
}

/*! A trace file read back: its header line and its events, or why it could not be read. */
struct TraceFile
{
    QJsonObject header;
    QList<QJsonObject> events;
    QString error;

    bool isValid() const { return error.isEmpty(); }

    QList<QJsonObject> eventsWhere(const std::function<bool(const QJsonObject &)> &predicate) const
    {
        QList<QJsonObject> found;
        std::copy_if(events.cbegin(), events.cend(), std::back_inserter(found), predicate);
        return found;
    }

    QList<QJsonObject> eventsOfKind(const QString &kind) const
    {
        return eventsWhere(
                [&](const QJsonObject &e) { return e.value(u"kind"_s).toString() == kind; });
    }

    /*! The first event of \a kind (for hook events: of \a hook), or an empty object. */
    QJsonObject first(const QString &kind, const QString &hook = {}) const
    {
        for (const QJsonObject &event : events) {
            if (event.value(u"kind"_s).toString() == kind
                && (hook.isEmpty() || event.value(u"hook"_s).toString() == hook))
                return event;
        }
        return {};
    }
};

/*! Reads a JSON Lines trace file: the first line is the header, every other line one event. */
inline TraceFile readTrace(const QString &path)
{
    TraceFile trace;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        trace.error = u"cannot open the trace file %1: %2"_s.arg(path, file.errorString());
        return trace;
    }
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject()) {
            trace.error = u"%1:%2 is not a JSON object: %3"_s.arg(path)
                                  .arg(lineNumber)
                                  .arg(parseError.errorString());
            return trace;
        }
        if (lineNumber == 1)
            trace.header = document.object();
        else
            trace.events.append(document.object());
    }
    if (trace.header.value(u"format"_s).toString() != u"mortar-trace"_s)
        trace.error = u"%1 does not start with a mortar-trace header"_s.arg(path);
    return trace;
}

} // namespace SystemTest
