// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The command line and logging of a real process (SPEC §8), apps/cmdlinehost: --help, --version
// and a bad option end through the normal close with 0 / 0 / 64; --debug, --quiet,
// QT_LOGGING_RULES and the [log] file of a config file decide where log lines go.
#include "systemtest.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Outcome
{
    int exitCode = -1;
    QByteArray out, err;
    QString description; // for failure messages
};

Outcome run(const QStringList &arguments,
            QProcessEnvironment environment = SystemTest::childEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CMDLINEHOST_PATH), arguments);
    Outcome outcome;
    if (!process.waitForFinished(30'000)) {
        process.kill();
        process.waitForFinished();
    }
    outcome.out = process.readAllStandardOutput();
    outcome.err = process.readAllStandardError();
    outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    outcome.description = SystemTest::describe(process, outcome.out, outcome.err);
    return outcome;
}

} // namespace

class tst_CommandLineProcess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    /*! A config file \a name whose [log] file is \a logFile; empty if it could not be written. */
    QString logConfig(const QString &name, const QString &logFile)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write("[log]\nfile=" + logFile.toUtf8() + "\n");
        return path;
    }

private Q_SLOTS:
    void helpIsAnsweredThroughTheClose()
    {
        const Outcome help = run({u"--help"_s});
        QVERIFY2(help.exitCode == 0, qPrintable(help.description));
        QVERIFY(help.out.contains("Usage: "));
        QVERIFY(help.out.contains("Shows how Mortar ends a command line."));
        for (const char *option :
             {"--greeting <TEXT>", "--config <FILE>", "--plugin <NAME>", "--no-plugin <NAME>",
              "--debug", "--quiet", "--inspect", "--trace <PATH>", "--version"})
            QVERIFY2(help.out.contains(option), option);
        QVERIFY(help.out.contains("pre_close ran"));
        QVERIFY2(!help.out.contains("an info line") && !help.err.contains("an info line"),
                 "the body must not run");
    }

    void versionIsAnsweredThroughTheClose()
    {
        const Outcome version = run({u"--version"_s});
        QVERIFY2(version.exitCode == 0, qPrintable(version.description));
        QVERIFY(version.out.startsWith("cmdlinehost 2.5.0\n"));
        QVERIFY(version.out.contains("pre_close ran"));
    }

    void unknownOptionEndsWith64ThroughTheClose()
    {
        const Outcome bad = run({u"--bogus"_s});
        QVERIFY2(bad.exitCode == 64, qPrintable(bad.description));
        QVERIFY(bad.err.contains("cmdlinehost: Unknown option 'bogus'.\n"
                                 "Try 'cmdlinehost --help' for more information."));
        QVERIFY(bad.out.contains("pre_close ran"));
    }

    void missingValueEndsWith64()
    {
        const Outcome bad = run({u"--greeting"_s});
        QVERIFY2(bad.exitCode == 64, qPrintable(bad.description));
        QVERIFY(bad.err.contains("Missing value after '--greeting'."));
        QVERIFY(bad.out.contains("pre_close ran"));
    }

    void applicationOptionsWork()
    {
        const Outcome greeted = run({u"--greeting"_s, u"hello there"_s});
        QVERIFY2(greeted.exitCode == 0, qPrintable(greeted.description));
        QVERIFY(greeted.out.contains("hello there\n"));
    }

    void debugShowsDebugLines()
    {
        const Outcome plain = run({});
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.description));
        QVERIFY(plain.err.contains("an info line"));
        QVERIFY(!plain.err.contains("a debug line"));

        const Outcome debug = run({u"--debug"_s});
        QVERIFY2(debug.exitCode == 0, qPrintable(debug.description));
        QVERIFY(debug.err.contains("a debug line"));
        QVERIFY(debug.err.contains("an info line"));
    }

    void quietSilencesTheTerminal()
    {
        const Outcome quiet = run({u"--quiet"_s, u"--debug"_s});
        QVERIFY2(quiet.exitCode == 0, qPrintable(quiet.description));
        QVERIFY2(quiet.err.isEmpty(), quiet.err.constData());
        QVERIFY(quiet.out.contains("pre_close ran")); // output is not logging
    }

    void loggingRulesCanTurnACategoryOff()
    {
        QProcessEnvironment environment = SystemTest::childEnvironment();
        environment.insert(u"QT_LOGGING_RULES"_s, u"cmdlinehost.info=false"_s);
        const Outcome ruled = run({u"--debug"_s}, environment);
        QVERIFY2(ruled.exitCode == 0, qPrintable(ruled.description));
        QVERIFY(!ruled.err.contains("an info line"));
        QVERIFY(ruled.err.contains("a debug line")); // --debug still acts on the rest
        QVERIFY(ruled.err.contains("a warning line"));
    }

    void logFileFromConfigGetsTheLines()
    {
        const QString logFile = m_dir.filePath(u"cmdlinehost.log"_s);
        const QString config = logConfig(u"log.conf"_s, logFile);
        QVERIFY(!config.isEmpty());

        // --quiet as well: the file gets the lines the terminal does not.
        const Outcome logged = run({u"--config"_s, config, u"--quiet"_s});
        QVERIFY2(logged.exitCode == 0, qPrintable(logged.description));
        QVERIFY(logged.err.isEmpty());
        const QByteArray lines = SystemTest::readFile(logFile);
        QVERIFY2(lines.contains(" info cmdlinehost: an info line\n"), lines.constData());
        QVERIFY2(lines.contains(" warning cmdlinehost: a warning line\n"), lines.constData());
        QVERIFY(!lines.contains("a debug line"));
    }

    void unwritableLogFileFailsWith78()
    {
        const QString config = logConfig(u"badlog.conf"_s, u"/nonexistent-dir/x.log"_s);
        QVERIFY(!config.isEmpty());
        const Outcome failed = run({u"--config"_s, config});
        QVERIFY2(failed.exitCode == 78, qPrintable(failed.description));
        QVERIFY(failed.err.contains("Unable to open the log file /nonexistent-dir/x.log"));
        QVERIFY(failed.err.contains(config.toUtf8()));
        QVERIFY(failed.out.contains("pre_close ran"));
    }
};

QTEST_GUILESS_MAIN(tst_CommandLineProcess)
#include "tst_commandline_process.moc"
