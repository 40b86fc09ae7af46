// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Shared by tst_signals, tst_watchdog and tst_crash: starting apps/faults, waiting for the lines
// it prints, and the files it is to leave behind (or not).
#pragma once

// MORTAR_ASAN: built with AddressSanitizer, which owns SIGSEGV and friends (a report and exit
// code 1): crash tests skip themselves there and run in the plain builds.
#if defined(__SANITIZE_ADDRESS__)
#  define MORTAR_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define MORTAR_ASAN 1
#  endif
#endif

#include "systemtest.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>

#include <signal.h>
#include <sys/resource.h>

namespace FaultTest {

using namespace Qt::StringLiterals;

/*! A run of apps/faults in a fresh directory, with a trace file, a pre_close marker, and an
    emergency-cleanup file and directory tree for it to register. */
struct Run
{
    QTemporaryDir dir;
    QProcess process;
    QByteArray out; // stdout read so far
    QString tracePath;
    QString markerPath;
    QString emergencyFile;
    QString emergencyDir;
    QString pidFile;           // of the real mortar.pidfile extension
    QString tempDir;           // the child's $TMPDIR, where mortar.tempfiles creates its file
    QList<int> ignoredSignals; // ignored when the app starts (set before start())
    bool inspect = false;      // with its inspection server (set before start())
    QString runtimeDir;        // its XDG_RUNTIME_DIR, when inspect

    /*! The inspection server's socket and token file (once started, while inspect). */
    QString socketPath() const { return u"%1/mortar/faults-%2"_s.arg(runtimeDir).arg(pid); }
    QString tokenPath() const { return socketPath() + u".token"_s; }
    qint64 pid = 0;

    /*! Creates the files; starts the app. False (with \a why) if that failed. */
    bool start(const QStringList &arguments, QString *why,
               const QProcessEnvironment &extra = QProcessEnvironment())
    {
        if (!dir.isValid()) {
            *why = dir.errorString();
            return false;
        }
        tracePath = dir.filePath(u"trace.jsonl"_s);
        markerPath = dir.filePath(u"pre_close.marker"_s);
        emergencyFile = dir.filePath(u"faults.pid"_s);
        emergencyDir = dir.filePath(u"scratch"_s);
        QFile file(emergencyFile);
        if (!file.open(QIODevice::WriteOnly) || !QDir().mkpath(emergencyDir + u"/nested"_s)
            || !QFile(emergencyDir + u"/nested/data"_s).open(QIODevice::WriteOnly)) {
            *why = u"cannot create the emergency-cleanup files in %1"_s.arg(dir.path());
            return false;
        }
        QProcessEnvironment environment = SystemTest::childEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, tracePath);
        environment.insert(u"FAULTS_MARKER"_s, markerPath);
        environment.insert(u"FAULTS_EMERGENCY"_s, emergencyFile + u':' + emergencyDir);
        pidFile = dir.filePath(u"faults-real.pid"_s);
        tempDir = dir.filePath(u"tmp"_s);
        if (!QDir().mkpath(tempDir)) {
            *why = u"cannot create %1"_s.arg(tempDir);
            return false;
        }
        environment.insert(u"FAULTS_PIDFILE"_s, pidFile);
        environment.insert(u"TMPDIR"_s, tempDir);
        if (inspect) {
            // A runtime directory of its own, for the socket and the token file.
            runtimeDir = dir.filePath(u"runtime"_s);
            if (!QDir().mkpath(runtimeDir)
                || !QFile::setPermissions(runtimeDir,
                                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)) {
                *why = u"cannot create %1"_s.arg(runtimeDir);
                return false;
            }
            environment.insert(u"XDG_RUNTIME_DIR"_s, runtimeDir);
            environment.insert(u"MORTAR_INSPECT"_s, u"1"_s);
        }
        for (const QString &key : extra.keys())
            environment.insert(key, extra.value(key));
        process.setProcessEnvironment(environment);
        // A crash must not leave a core file behind (nor wait for a core dump to be written).
        // Signals to ignore are ignored as nohup or a shell's background job does: in the child
        // before exec, so the app inherits them ignored.
        process.setChildProcessModifier([ignored = ignoredSignals] {
            const rlimit none{0, 0};
            ::setrlimit(RLIMIT_CORE, &none);
            for (const int signalNumber : ignored)
                ::signal(signalNumber, SIG_IGN);
        });
        process.start(QStringLiteral(FAULTS_PATH), arguments);
        if (!process.waitForStarted(30'000)) {
            *why = process.errorString();
            return false;
        }
        pid = process.processId();
        return true;
    }

    /*! Waits until the app printed \a line (bounded; the app prints it when it is ready). */
    bool waitForLine(const QByteArray &line, int timeoutMs = 30'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        const QByteArray wanted = line + '\n';
        while (!out.contains(wanted)) {
            if (deadline.hasExpired() || process.state() == QProcess::NotRunning)
                return false;
            process.waitForReadyRead(int(std::max<qint64>(deadline.remainingTime(), 1)));
            out += process.readAllStandardOutput();
        }
        return true;
    }

    bool sendSignal(int signalNumber)
    {
        return ::kill(pid_t(process.processId()), signalNumber) == 0;
    }

    /*! Waits for the end; then everything it printed is in out / err. */
    bool finish(int timeoutMs = 60'000)
    {
        const bool finished = process.waitForFinished(timeoutMs);
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
        return finished;
    }

    QString describe() { return SystemTest::describe(process, out, err); }

    /*! A guard for a test function: if the test failed, ends the app (so that all of its
        stderr is read) and prints what it said. */
    auto explainOnFailure()
    {
        return qScopeGuard([this] {
            if (QTest::currentTestFailed()) {
                process.kill(); // for its stderr
                finish();
                qWarning("%s", qPrintable(describe()));
            }
        });
    }

    QByteArray marker() const
    {
        QFile file(markerPath);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    bool emergencyPathsExist() const
    {
        return QFile::exists(emergencyFile) || QFile::exists(emergencyDir);
    }

    /*! After a forced end: what the emergency cleanup should have removed and did not, or empty. */
    QString leftBehind() const
    {
        QStringList left;
        if (emergencyPathsExist())
            left << u"the paths registered with the emergency cleanup"_s;
        if (pidFileExists())
            left << u"the pid file"_s;
        if (tempFileCount() != 0)
            left << u"%1 temporary file(s)"_s.arg(tempFileCount());
        return left.join(u", "_s);
    }

    /*! The pid file, and the temporary files the app created. */
    bool pidFileExists() const { return QFile::exists(pidFile); }
    int tempFileCount() const
    {
        return int(QDir(tempDir)
                           .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                           .size());
    }

    QByteArray err;
};

} // namespace FaultTest
