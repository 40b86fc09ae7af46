// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// What the inspector's live tests share: a private runtime directory, and apps/inspectee started
// as a real child process with inspection on.
#pragma once

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

namespace InspectorTest {

using namespace Qt::StringLiterals;

/*! A runtime directory of the test's own (0700, as the App requires), set as XDG_RUNTIME_DIR
    for this process and the apps it starts: other tests' apps are not listed. */
inline bool useOwnRuntimeDirectory(const QTemporaryDir &directory)
{
    if (!directory.isValid()
        || !QFile::setPermissions(directory.path(),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return false;
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(directory.path()));
    return true;
}

/*! apps/inspectee as a child process, with inspection on (and a trace file if asked). */
class Inspectee
{
public:
    /*! \a hang: its pre_close handler "hangs" never returns (the watchdog ends it, 124). */
    explicit Inspectee(const QString &traceFile = {}, bool hang = false)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        if (hang)
            environment.insert(u"INSPECTEE_HANG"_s, u"1"_s);
        else
            environment.remove(u"INSPECTEE_HANG"_s);
        environment.insert(u"MORTAR_INSPECT"_s, u"1"_s);
        environment.remove(u"MORTAR_INSPECT_TOKEN"_s);
        environment.remove(u"MORTAR_PLUGIN_PATH"_s);
        if (traceFile.isEmpty())
            environment.remove(u"MORTAR_TRACE"_s);
        else
            environment.insert(u"MORTAR_TRACE"_s, traceFile);
        m_process.setProcessEnvironment(environment);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral(INSPECTEE_APP), {});
    }
    ~Inspectee()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10'000);
        }
    }

    /*! Waits until it has set up (its plugins loaded) and listens: it prints "ready". */
    bool waitUntilReady()
    {
        const QDeadlineTimer deadline(30'000);
        while (!m_output.contains("ready\n")) {
            if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(100);
            m_output += m_process.readAllStandardOutput();
        }
        m_pid = m_process.processId();
        return true;
    }

    /*! Sends a command (apps/inspectee.cpp: "add", "remove") and waits for its \a answer. */
    bool command(const QByteArray &line, const QByteArray &answer)
    {
        m_process.write(line + '\n');
        const QDeadlineTimer deadline(30'000);
        while (!m_output.contains(QByteArray(answer + '\n'))) {
            if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning)
                return false;
            m_process.waitForReadyRead(100);
            m_output += m_process.readAllStandardOutput();
        }
        return true;
    }

    /*! Its pid, also after it ended. */
    qint64 pid() const { return m_pid ? m_pid : m_process.processId(); }
    /*! Waits for its end (which an event loop may already have seen). */
    bool waitForExit()
    {
        return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(30'000);
    }
    /*! Where it listens: <runtime dir>/mortar/inspectee-<pid>. */
    QString socketPath() const
    {
        return QDir(qEnvironmentVariable("XDG_RUNTIME_DIR"))
                .filePath(u"mortar/inspectee-%1"_s.arg(pid()));
    }
    QProcess &process() { return m_process; }

    /*! SIGKILL, as a crash or the OOM killer would: the app cannot remove its socket. */
    bool killLeavingItsSocket()
    {
        m_process.kill();
        return m_process.waitForFinished(10'000) && QFile::exists(socketPath());
    }

private:
    QProcess m_process;
    QByteArray m_output;
    qint64 m_pid = 0;
};

} // namespace InspectorTest
