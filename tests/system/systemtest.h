// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Helpers shared by the system tests: the environment of a child process, and reading the trace
// file it wrote.
#pragma once

#include <QDeadlineTimer>
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

/*! The content of \a path, or "(missing)": for failure messages. */
inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
}

/*!
    A child process that prints "ready <word>…" once it is up, for the tests of long-running
    apps. Killed if it still runs when the test ends, so a failing test leaves nothing behind.
*/
class ReadyProcess
{
public:
    ReadyProcess() = default;
    ReadyProcess(const ReadyProcess &) = delete;
    ReadyProcess &operator=(const ReadyProcess &) = delete;
    ~ReadyProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(30'000);
        }
    }

    void start(const QString &program, const QStringList &arguments,
               const QProcessEnvironment &environment)
    {
        m_process.setProcessEnvironment(environment);
        m_process.start(program, arguments);
        if (m_process.waitForStarted(30'000))
            m_pid = m_process.processId(); // QProcess forgets it once the process ended
    }

    /*! Waits for "ready" and \a count words; those words, or nothing if it ended first. */
    QList<QByteArray> readReadyLine(qsizetype count)
    {
        const QDeadlineTimer deadline(60'000);
        while (!m_process.canReadLine()) {
            if (m_process.state() == QProcess::NotRunning || deadline.hasExpired())
                return {};
            m_process.waitForReadyRead(int(qMin<qint64>(deadline.remainingTime(), 1000)));
        }
        const QList<QByteArray> words = m_process.readLine().trimmed().split(' ');
        if (words.size() != count + 1 || words.at(0) != "ready")
            return {};
        return words.mid(1);
    }

    bool waitForFinished()
    {
        // QProcess::waitForFinished() is false for a process that has finished already.
        const bool finished =
                m_process.state() == QProcess::NotRunning || m_process.waitForFinished(60'000);
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return finished;
    }

    QProcess &process() { return m_process; }
    qint64 pid() const { return m_pid; }
    QByteArray err() const { return m_err; }
    QString describe() { return SystemTest::describe(m_process, m_out, m_err); }

private:
    QProcess m_process;
    qint64 m_pid = 0;
    QByteArray m_out, m_err;
};

} // namespace SystemTest
