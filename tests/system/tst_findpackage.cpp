// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The installed package works for a user: install this build tree into a temporary prefix,
// build examples/exit-status, examples/plugins (two plugins made with mortar_add_plugin()),
// with Mortar::Widgets examples/notepad, and mortar-inspector (the framework's first outside
// user) as standalone projects against it (find_package(Mortar)), run them.
// The slots are the steps, in order; each needs the previous one.
#include "systemtest.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QString fromDefinition(const char *value)
{
    return QString::fromUtf8(value);
}

QStringList standaloneProjects()
{
    QStringList projects{u"examples/exit-status"_s, u"examples/plugins"_s, u"inspector"_s};
#ifdef MORTAR_FINDPACKAGE_NOTEPAD
    projects << u"examples/notepad"_s; // Mortar::Widgets, Qt Widgets and a plugin
#endif
#ifdef MORTAR_FINDPACKAGE_TESTKIT
    projects << u"examples/testing"_s; // Mortar::Test and Qt Test
#endif
    return projects;
}
} // namespace

class tst_FindPackage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void install();
    void configureStandaloneExamples();
    void buildStandaloneExamples();
    void runStandaloneExamples();

private:
    /*! Runs a command to its end; false, with what it printed, if it failed. */
    bool runCommand(const QString &program, const QStringList &arguments, QString *why,
                    int timeoutMs = 240'000);

    QTemporaryDir m_work;
    QString m_prefix;
    // The projects built against the prefix (source directories relative to the source tree),
    // each in its own build directory.
    const QStringList m_examples = standaloneProjects();
    QString buildDirOf(const QString &example) const
    {
        return m_work.filePath(u"build-"_s + QFileInfo(example).fileName());
    }
    /*! The example's program: single-configuration generators put it in the build directory,
        multi-configuration ones in a subdirectory named after the configuration. */
    QString programOf(const QString &example, const QString &name) const;
    const QString m_config = fromDefinition(MORTAR_BUILD_CONFIG);
};

bool tst_FindPackage::runCommand(const QString &program, const QStringList &arguments, QString *why,
                                 int timeoutMs)
{
    QProcess process;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    environment.remove(u"DESTDIR"_s); // would redirect the install away from the prefix
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    const bool finished = process.waitForStarted(30'000) && process.waitForFinished(timeoutMs);
    const QByteArray output = process.readAll();
    if (finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0)
        return true;
    *why = SystemTest::describe(process, output, {});
    return false;
}

void tst_FindPackage::initTestCase()
{
    QVERIFY2(m_work.isValid(), qPrintable(m_work.errorString()));
    m_prefix = m_work.filePath(u"prefix"_s);
}

void tst_FindPackage::install()
{
    // Installs what the build already made: nothing of the framework is compiled again.
    QStringList arguments{u"--install"_s, fromDefinition(MORTAR_BINARY_DIR), u"--prefix"_s,
                          m_prefix};
    if (!m_config.isEmpty())
        arguments << u"--config"_s << m_config;
    QString why;
    QVERIFY2(runCommand(fromDefinition(MORTAR_CMAKE_COMMAND), arguments, &why), qPrintable(why));
    QVERIFY(QFileInfo::exists(m_prefix + u"/include/mortar/app.h"_s));
    QVERIFY(QFileInfo::exists(m_prefix + u"/include/mortar/mortar_export.h"_s));
    QVERIFY(QFileInfo::exists(m_prefix + u"/include/mortar/plugin.h"_s));
#ifdef MORTAR_FINDPACKAGE_NOTEPAD
    QVERIFY(QFileInfo::exists(m_prefix + u"/include/mortar/closeprogressdialog.h"_s));
    QVERIFY(QFileInfo::exists(m_prefix + u"/include/mortar/mortarwidgets_export.h"_s));
#endif
}

void tst_FindPackage::configureStandaloneExamples()
{
    for (const QString &example : m_examples) {
        const QString buildDir = buildDirOf(example);
        QStringList arguments{
                u"-S"_s,
                fromDefinition(MORTAR_SOURCE_DIR) + u'/' + example,
                u"-B"_s,
                buildDir,
                u"-G"_s,
                fromDefinition(MORTAR_CMAKE_GENERATOR),
                u"-DCMAKE_PREFIX_PATH="_s + m_prefix,
                u"-DCMAKE_CXX_COMPILER="_s + fromDefinition(MORTAR_CXX_COMPILER),
                // Only the prefix may provide Mortar, never a package registry entry of some build
                // tree.
                u"-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"_s,
        };
        // The same toolchain as this build, so that its ccache (if any) serves this build too.
        if (const QString makeProgram = fromDefinition(MORTAR_CMAKE_MAKE_PROGRAM);
            !makeProgram.isEmpty())
            arguments << u"-DCMAKE_MAKE_PROGRAM="_s + makeProgram;
        if (const QString launcher = fromDefinition(MORTAR_CXX_COMPILER_LAUNCHER);
            !launcher.isEmpty())
            arguments << u"-DCMAKE_CXX_COMPILER_LAUNCHER="_s + launcher;
        if (const QString qtDir = fromDefinition(MORTAR_QT6_DIR); !qtDir.isEmpty())
            arguments << u"-DQt6_DIR="_s + qtDir;
        if (!m_config.isEmpty())
            arguments << u"-DCMAKE_BUILD_TYPE="_s + m_config;
        // The same flags too: a library built with sanitizers links only into code built with them.
        if (const QString flags = fromDefinition(MORTAR_CXX_FLAGS); !flags.trimmed().isEmpty())
            arguments << u"-DCMAKE_CXX_FLAGS="_s + flags;
        if (const QString flags = fromDefinition(MORTAR_EXE_LINKER_FLAGS);
            !flags.trimmed().isEmpty())
            arguments << u"-DCMAKE_EXE_LINKER_FLAGS="_s + flags;
        QString why;
        QVERIFY2(runCommand(fromDefinition(MORTAR_CMAKE_COMMAND), arguments, &why),
                 qPrintable(why));

        // Mortar came from the prefix, not from the source or build tree.
        QFile cache(buildDir + u"/CMakeCache.txt"_s);
        QVERIFY(cache.open(QIODevice::ReadOnly));
        const QByteArray text = cache.readAll();
        const qsizetype at = text.indexOf("\nMortar_DIR:");
        QVERIFY2(at >= 0, "CMakeCache.txt has no Mortar_DIR");
        const QByteArray line = text.mid(at + 1, text.indexOf('\n', at + 1) - at - 1);
        const QString mortarDir = QString::fromLocal8Bit(line.mid(line.indexOf('=') + 1));
        QVERIFY2(QDir::cleanPath(mortarDir).startsWith(QDir::cleanPath(m_prefix) + u'/'),
                 qPrintable(u"Mortar was found in %1, not under %2"_s.arg(mortarDir, m_prefix)));
    }
}

void tst_FindPackage::buildStandaloneExamples()
{
    for (const QString &example : m_examples) {
        QStringList arguments{u"--build"_s, buildDirOf(example), u"--parallel"_s, u"2"_s};
        if (!m_config.isEmpty())
            arguments << u"--config"_s << m_config;
        QString why;
        QVERIFY2(runCommand(fromDefinition(MORTAR_CMAKE_COMMAND), arguments, &why),
                 qPrintable(why));
    }
}

QString tst_FindPackage::programOf(const QString &example, const QString &name) const
{
    const QString single = buildDirOf(example) + u'/' + name;
    return QFileInfo::exists(single) ? single : buildDirOf(example) + u'/' + m_config + u'/' + name;
}

void tst_FindPackage::runStandaloneExamples()
{
    const QString program = programOf(u"examples/exit-status"_s, u"exit-status"_s);
    QVERIFY2(QFileInfo(program).isExecutable(), qPrintable(program));

    QProcess process;
    process.setProcessEnvironment(SystemTest::childEnvironment());
    process.start(program, {});
    QVERIFY2(process.waitForStarted(30'000), qPrintable(process.errorString()));
    QVERIFY2(process.waitForFinished(120'000), qPrintable(process.errorString()));
    const QByteArray err = process.readAllStandardError();
    const QString account = SystemTest::describe(process, process.readAllStandardOutput(), err);
    QVERIFY2(process.exitStatus() == QProcess::NormalExit, qPrintable(account));
    QVERIFY2(process.exitCode() == 100, qPrintable(account));
    QVERIFY2(err.contains("myapp: Caught Exception: "), qPrintable(account));

    // The plugins built with the installed mortar_add_plugin() load and clean up.
    QProcess host;
    host.setProcessEnvironment(SystemTest::childEnvironment());
    host.start(programOf(u"examples/plugins"_s, u"notekeeper"_s), {});
    QVERIFY2(host.waitForStarted(30'000), qPrintable(host.errorString()));
    QVERIFY2(host.waitForFinished(120'000), qPrintable(host.errorString()));
    const QByteArray out = host.readAllStandardOutput();
    const QString hostAccount = SystemTest::describe(host, out, host.readAllStandardError());
    QVERIFY2(host.exitStatus() == QProcess::NormalExit && host.exitCode() == 0,
             qPrintable(hostAccount));
    QVERIFY2(out.contains("notekeeper: plugins loaded: storage, sync\n"), qPrintable(hostAccount));
    QVERIFY2(out.contains("storage: journal flushed\n"), qPrintable(hostAccount));

    // The standalone inspector reads a trace file: the one the installed exit-status writes.
    const QString traceFile = m_work.filePath(u"exit-status.jsonl"_s);
    QProcess traced;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    environment.insert(u"MORTAR_TRACE"_s, traceFile);
    traced.setProcessEnvironment(environment);
    traced.start(program, {});
    QVERIFY2(traced.waitForStarted(30'000) && traced.waitForFinished(120'000),
             qPrintable(traced.errorString()));
    QProcess inspector;
    inspector.setProcessEnvironment(SystemTest::childEnvironment());
    inspector.start(programOf(u"inspector"_s, u"mortar-inspector"_s), {u"--summary"_s, traceFile});
    QVERIFY2(inspector.waitForStarted(30'000) && inspector.waitForFinished(120'000),
             qPrintable(inspector.errorString()));
    const QByteArray summary = inspector.readAllStandardOutput();
    const QString inspectorAccount =
            SystemTest::describe(inspector, summary, inspector.readAllStandardError());
    QVERIFY2(inspector.exitStatus() == QProcess::NormalExit && inspector.exitCode() == 0,
             qPrintable(inspectorAccount));
    QVERIFY2(summary.contains("myapp"), qPrintable(inspectorAccount));
    QVERIFY2(summary.contains("100"), qPrintable(inspectorAccount)); // the exit code

#ifdef MORTAR_FINDPACKAGE_NOTEPAD
    // The notepad starts against the installed Mortar::Widgets (no display needed for
    // --version, which ends it through its normal close).
    QProcess notepad;
    QProcessEnvironment notepadEnvironment = SystemTest::childEnvironment();
    notepadEnvironment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    notepad.setProcessEnvironment(notepadEnvironment);
    notepad.start(programOf(u"examples/notepad"_s, u"notepad"_s), {u"--version"_s});
    QVERIFY2(notepad.waitForStarted(30'000), qPrintable(notepad.errorString()));
    QVERIFY2(notepad.waitForFinished(120'000), qPrintable(notepad.errorString()));
    const QByteArray notepadOut = notepad.readAllStandardOutput();
    const QString notepadAccount =
            SystemTest::describe(notepad, notepadOut, notepad.readAllStandardError());
    QVERIFY2(notepad.exitStatus() == QProcess::NormalExit && notepad.exitCode() == 0,
             qPrintable(notepadAccount));
    QVERIFY2(notepadOut.contains("1.0"), qPrintable(notepadAccount));
#endif

#ifdef MORTAR_FINDPACKAGE_TESTKIT
    // A plugin author's QTest, built against the installed Mortar::Test: its rehearsed
    // watchdog and second signal leave the test process running to report.
    QProcess kitTest;
    kitTest.setProcessEnvironment(SystemTest::childEnvironment());
    kitTest.start(programOf(u"examples/testing"_s, u"tst_example_journal"_s), {});
    QVERIFY2(kitTest.waitForStarted(30'000), qPrintable(kitTest.errorString()));
    QVERIFY2(kitTest.waitForFinished(120'000), qPrintable(kitTest.errorString()));
    const QByteArray kitOut = kitTest.readAllStandardOutput();
    const QString kitAccount =
            SystemTest::describe(kitTest, kitOut, kitTest.readAllStandardError());
    QVERIFY2(kitTest.exitStatus() == QProcess::NormalExit && kitTest.exitCode() == 0,
             qPrintable(kitAccount));
    QVERIFY2(kitOut.contains("Totals: 6 passed, 0 failed"), qPrintable(kitAccount));
#endif
}

QTEST_GUILESS_MAIN(tst_FindPackage)
#include "tst_findpackage.moc"
