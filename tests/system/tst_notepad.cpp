// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// examples/notepad as a user runs it, in a real X server: the test starts Xvfb, the notepad
// runs on it with Qt's xcb platform, the user's keystrokes come from xdotool (XTEST) and the
// window manager's "close" from wmclose. Checked on the real process: how it ends, which files
// are left, and the order of the close in its trace file.
#include "systemtest.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

const QString FlushHandler = u"notepad: flush autosave"_s;
const QString RemoveHandler = u"notepad: remove autosave"_s;
const QString AskHandler = u"notepad: unsaved changes?"_s;

/*! One notepad process, with its own runtime, temporary and config directories. */
class Notepad
{
public:
    Notepad(const QString &display, const QProcessEnvironment &extra = {})
    {
        QProcessEnvironment environment = SystemTest::childEnvironment();
        environment.insert(u"DISPLAY"_s, display);
        environment.insert(u"QT_QPA_PLATFORM"_s, u"xcb"_s);
        environment.insert(u"XDG_RUNTIME_DIR"_s, m_dirs.filePath(u"runtime"_s));
        environment.insert(u"XDG_CONFIG_HOME"_s, m_dirs.filePath(u"config"_s));
        environment.insert(u"XDG_DATA_HOME"_s, m_dirs.filePath(u"data"_s));
        environment.insert(u"XDG_STATE_HOME"_s, m_dirs.filePath(u"state"_s));
        environment.insert(u"TMPDIR"_s, m_dirs.filePath(u"tmp"_s));
        environment.insert(u"MORTAR_TRACE"_s, tracePath());
        environment.remove(u"NOTEPAD_ANSWER"_s);
        environment.remove(u"NOTEPAD_SCREENSHOT"_s);
        for (const QString &key : extra.keys())
            environment.insert(key, extra.value(key));
        for (const char *dir : {"runtime", "config", "data", "state", "tmp"}) {
            QDir(m_dirs.path()).mkdir(QString::fromLatin1(dir));
            QFile::setPermissions(m_dirs.filePath(QString::fromLatin1(dir)),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ExeOwner);
        }
        m_process.setProcessEnvironment(environment);
    }

    ~Notepad()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    /*! Starts the notepad and waits for its "ready" line; false if it never came. */
    bool start(const QStringList &arguments = {})
    {
        m_process.start(QStringLiteral(NOTEPAD_PATH), arguments);
        if (!m_process.waitForStarted(30'000))
            return false;
        static const QRegularExpression ready(
                u"^notepad: ready window (\\d+) autosave (\\S+) lock (\\S+)$"_s,
                QRegularExpression::MultilineOption);
        QDeadlineTimer deadline(30'000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            m_process.waitForReadyRead(100);
            m_out += m_process.readAllStandardOutput();
            const QRegularExpressionMatch match = ready.match(QString::fromLocal8Bit(m_out));
            if (match.hasMatch()) {
                window = match.captured(1);
                autosave = match.captured(2);
                lock = match.captured(3);
                return true;
            }
        }
        return false;
    }

    /*! What it printed on stdout so far. */
    QString output()
    {
        m_out += m_process.readAllStandardOutput();
        return QString::fromLocal8Bit(m_out);
    }

    /*! Waits for it to end; its exit code, or -1 if it crashed or did not end in time. */
    int finish()
    {
        if (!m_process.waitForFinished(60'000))
            return -1;
        output();
        m_err += m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    QString describe()
    {
        output();
        m_err += m_process.readAllStandardError();
        return SystemTest::describe(m_process, m_out, m_err);
    }

    QString tracePath() const { return m_dirs.filePath(u"trace.jsonl"_s); }
    QProcess &process() { return m_process; }

    QString window;
    QString autosave;
    QString lock;

private:
    QTemporaryDir m_dirs;
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

/*! Runs a helper program (xdotool, wmclose) to its end; false, saying why, if it failed. */
bool runTool(const QString &display, const QString &program, const QStringList &arguments,
             QString *why)
{
    QProcess tool;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"DISPLAY"_s, display);
    tool.setProcessEnvironment(environment);
    tool.setProcessChannelMode(QProcess::MergedChannels);
    tool.start(program, arguments);
    if (tool.waitForFinished(30'000) && tool.exitStatus() == QProcess::NormalExit
        && tool.exitCode() == 0)
        return true;
    *why = SystemTest::describe(tool, tool.readAll(), {});
    return false;
}

qint64 seqOf(const QJsonObject &event)
{
    return event.value(u"seq"_s).toInteger(-1);
}

} // namespace

class tst_Notepad : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void closingTheWindowExitsZeroAndRemovesTheFiles();
    void closingTheWindowWithUnsavedTextSavesWhenAnsweredSave();
    void aVetoedQuitKeepsItRunningAndTheNextQuitEndsWithItsCode();
    void sigtermEndsWith143AndKeepsTheUnsavedText();

private:
    /*! Types \a text into the notepad's window, as a user's keyboard would. */
    bool type(Notepad &notepad, const QString &text, QString *why);
    bool key(Notepad &notepad, const QString &keys, QString *why);
    /*! The flush's deferral settled before the handler that removes its file began. */
    void verifyTheFlushFinishedFirst(const QString &tracePath);

    QProcess m_xvfb;
    QString m_display;
    QString m_xdotool;
};

void tst_Notepad::initTestCase()
{
    const QString xvfb = QStandardPaths::findExecutable(u"Xvfb"_s);
    m_xdotool = QStandardPaths::findExecutable(u"xdotool"_s);
    if (xvfb.isEmpty() || m_xdotool.isEmpty())
        QSKIP("Xvfb and xdotool are needed (.ci/deps installs them)");
    // Xvfb picks a free display and writes its number to the file descriptor given: stdout.
    m_xvfb.start(xvfb,
                 {u"-displayfd"_s, u"1"_s, u"-screen"_s, u"0"_s, u"1280x800x24"_s, u"-nolisten"_s,
                  u"tcp"_s});
    QVERIFY2(m_xvfb.waitForStarted(30'000), qPrintable(m_xvfb.errorString()));
    QByteArray number;
    QDeadlineTimer deadline(30'000);
    while (!number.endsWith('\n') && !deadline.hasExpired()
           && m_xvfb.state() == QProcess::Running) {
        m_xvfb.waitForReadyRead(100);
        number += m_xvfb.readAllStandardOutput();
    }
    QVERIFY2(number.endsWith('\n'), m_xvfb.readAllStandardError().constData());
    m_display = u":"_s + QString::fromLatin1(number.trimmed());
}

void tst_Notepad::cleanupTestCase()
{
    if (m_xvfb.state() != QProcess::NotRunning) {
        m_xvfb.terminate();
        if (!m_xvfb.waitForFinished(10'000))
            m_xvfb.kill();
    }
}

bool tst_Notepad::type(Notepad &notepad, const QString &text, QString *why)
{
    // Without a window manager nothing gives the window the keyboard focus: xdotool does,
    // then types through XTEST, the X server's own input path.
    return runTool(
            m_display, m_xdotool,
            {u"windowfocus"_s, u"--sync"_s, notepad.window, u"type"_s, u"--delay"_s, u"20"_s, text},
            why);
}

bool tst_Notepad::key(Notepad &notepad, const QString &keys, QString *why)
{
    return runTool(m_display, m_xdotool,
                   {u"windowfocus"_s, u"--sync"_s, notepad.window, u"key"_s, keys}, why);
}

void tst_Notepad::verifyTheFlushFinishedFirst(const QString &tracePath)
{
    const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const auto byHandler = [&](const QString &kind, const QString &handler) {
        const QList<QJsonObject> found = trace.eventsWhere([&](const QJsonObject &event) {
            return event.value(u"kind"_s).toString() == kind
                    && event.value(u"handler"_s).toString() == handler;
        });
        return found.isEmpty() ? QJsonObject() : found.constFirst();
    };
    const QJsonObject flushed = byHandler(u"deferral.end"_s, FlushHandler);
    const QJsonObject removing = byHandler(u"handler.begin"_s, RemoveHandler);
    QVERIFY2(!flushed.isEmpty(), "no deferral.end of the flush in the trace");
    QVERIFY2(!removing.isEmpty(), "no handler.begin of the removal in the trace");
    QCOMPARE(flushed.value(u"status"_s).toString(), u"ok"_s);
    QVERIFY2(flushed.value(u"durationNs"_s).toInteger() >= 750'000'000,
             qPrintable(QString::number(flushed.value(u"durationNs"_s).toInteger())));
    QVERIFY2(seqOf(flushed) < seqOf(removing),
             qPrintable(u"deferral.end of the flush is #%1, handler.begin of the removal #%2"_s
                                .arg(seqOf(flushed))
                                .arg(seqOf(removing))));
    // The plugin's weight-5 handler sits between them too.
    const QJsonObject spellcheck = byHandler(u"handler.begin"_s, u"spellcheck: close dictionary"_s);
    QVERIFY2(!spellcheck.isEmpty() && seqOf(flushed) < seqOf(spellcheck)
                     && seqOf(spellcheck) < seqOf(removing),
             "the plugin's handler did not run between the flush and the removal");
}

void tst_Notepad::closingTheWindowExitsZeroAndRemovesTheFiles()
{
    if (QStringLiteral(WMCLOSE_PATH).isEmpty())
        QSKIP("wmclose was not built (libxcb's headers are missing)");
    // The progress dialog must show even though its parent, the window, is gone by then.
    const QString screenshot = QDir(QCoreApplication::applicationDirPath())
                                       .filePath(u"close-progress-window-closed.png"_s);
    QFile::remove(screenshot);
    QProcessEnvironment extra;
    extra.insert(u"NOTEPAD_SCREENSHOT"_s, screenshot);
    Notepad notepad(m_display, extra);
    QVERIFY2(notepad.start(), qPrintable(notepad.describe()));
    QVERIFY(QFileInfo::exists(notepad.autosave));
    QVERIFY(QFileInfo::exists(notepad.lock));

    QString why;
    QVERIFY2(runTool(m_display, QStringLiteral(WMCLOSE_PATH), {notepad.window}, &why),
             qPrintable(why));
    QCOMPARE(notepad.finish(), 0);
    const QString output = notepad.output();
    QVERIFY2(!QFileInfo::exists(notepad.autosave), qPrintable(notepad.describe()));
    QVERIFY2(!QFileInfo::exists(notepad.lock), qPrintable(notepad.describe()));

    // The close in the order of the weights, the plugin's slot and handler included.
    const QStringList expected = {
            u"notepad: flushing autosave"_s,
            u"notepad: autosave flushed"_s,
            u"spellcheck: personal dictionary saved"_s,
            u"spellcheck: dictionary closed"_s,
            u"notepad: autosave removed"_s,
            u"spellcheck: unloaded"_s,
    };
    qsizetype at = 0;
    for (const QString &line : expected) {
        at = output.indexOf(line, at);
        QVERIFY2(at >= 0, qPrintable(u"'%1' missing or out of order\n"_s.arg(line) + output));
    }
    QVERIFY2(!output.contains(u"unsaved changes?"_s), qPrintable(output)); // nothing to ask
    QVERIFY2(output.contains(u"notepad: screenshot saved "_s + screenshot), qPrintable(output));
    QVERIFY(!QImage(screenshot).isNull());

    verifyTheFlushFinishedFirst(notepad.tracePath());
    const SystemTest::TraceFile trace = SystemTest::readTrace(notepad.tracePath());
    QCOMPARE(trace.first(u"close.begin"_s).value(u"cause"_s).toString(), u"lastWindowClosed"_s);
}

void tst_Notepad::closingTheWindowWithUnsavedTextSavesWhenAnsweredSave()
{
    if (QStringLiteral(WMCLOSE_PATH).isEmpty())
        QSKIP("wmclose was not built (libxcb's headers are missing)");
    QTemporaryDir documents;
    const QString document = documents.filePath(u"letter.txt"_s);
    QVERIFY(QFile(document).open(QIODevice::WriteOnly)); // an empty file, opened for editing
    QProcessEnvironment extra;
    extra.insert(u"NOTEPAD_ANSWER"_s, u"save"_s);
    Notepad notepad(m_display, extra);
    QVERIFY2(notepad.start({document}), qPrintable(notepad.describe()));
    QString why;
    QVERIFY2(type(notepad, u"Dear Qt"_s, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(SystemTest::readFile(notepad.autosave), QByteArray("Dear Qt"),
                              15'000);

    QVERIFY2(runTool(m_display, QStringLiteral(WMCLOSE_PATH), {notepad.window}, &why),
             qPrintable(why));
    QCOMPARE(notepad.finish(), 0);
    const QString output = notepad.output();
    QVERIFY2(output.contains(u"notepad: unsaved changes? save"_s), qPrintable(output));
    QCOMPARE(SystemTest::readFile(document), QByteArray("Dear Qt"));
    QVERIFY2(!QFileInfo::exists(notepad.autosave), qPrintable(notepad.describe()));
    QVERIFY(!QFileInfo::exists(notepad.lock));
    verifyTheFlushFinishedFirst(notepad.tracePath());
}

void tst_Notepad::aVetoedQuitKeepsItRunningAndTheNextQuitEndsWithItsCode()
{
    const QString screenshot =
            QDir(QCoreApplication::applicationDirPath()).filePath(u"close-progress.png"_s);
    QFile::remove(screenshot);
    QProcessEnvironment extra;
    extra.insert(u"NOTEPAD_ANSWER"_s, u"cancel-once"_s);
    extra.insert(u"NOTEPAD_SCREENSHOT"_s, screenshot);
    Notepad notepad(m_display, extra);
    QVERIFY2(notepad.start({u"--quit-code"_s, u"5"_s}), qPrintable(notepad.describe()));

    QString why;
    QVERIFY2(type(notepad, u"hello, mortar"_s, &why), qPrintable(why));
    // The autosave timer writes the text a second after the last keystroke: the keys arrived.
    QTRY_COMPARE_WITH_TIMEOUT(SystemTest::readFile(notepad.autosave), QByteArray("hello, mortar"),
                              15'000);

    // First request: the user closes the window. With unsaved text that is a quit request,
    // "unsaved changes?" — Cancel. Nothing closes, the window included.
    if (QStringLiteral(WMCLOSE_PATH).isEmpty()) // without wmclose, File → Quit asks the same
        QVERIFY2(key(notepad, u"ctrl+q"_s, &why), qPrintable(why));
    else
        QVERIFY2(runTool(m_display, QStringLiteral(WMCLOSE_PATH), {notepad.window}, &why),
                 qPrintable(why));
    QTRY_VERIFY2_WITH_TIMEOUT(notepad.output().contains(u"notepad: unsaved changes? cancel"_s),
                              qPrintable(notepad.describe()), 15'000);
    QVERIFY(!notepad.output().contains(u"flushing autosave"_s));
    QCOMPARE(notepad.process().state(), QProcess::Running);
    QVERIFY(QFileInfo::exists(notepad.lock));

    // The window is still there and takes keys (xdotool can focus only a mapped window): File →
    // Quit (Ctrl+Q), with --quit-code 5, is answered Discard, and the quit's code stands.
    QVERIFY2(key(notepad, u"ctrl+q"_s, &why), qPrintable(why));
    QCOMPARE(notepad.finish(), 5);
    const QString output = notepad.output();
    QVERIFY2(output.contains(u"notepad: unsaved changes? discard"_s), qPrintable(output));
    QVERIFY2(output.contains(u"notepad: autosave removed"_s), qPrintable(notepad.describe()));
    QVERIFY(!QFileInfo::exists(notepad.autosave));
    QVERIFY(!QFileInfo::exists(notepad.lock));

    verifyTheFlushFinishedFirst(notepad.tracePath());
    const SystemTest::TraceFile trace = SystemTest::readTrace(notepad.tracePath());
    const QList<QJsonObject> prevented = trace.eventsOfKind(u"quit.prevented"_s);
    QVERIFY2(prevented.size() == 1, qPrintable(notepad.describe()));
    QCOMPARE(prevented.constFirst().value(u"handler"_s).toString(), AskHandler);
    QCOMPARE(trace.first(u"close.end"_s).value(u"code"_s).toInt(), 5);

    // The CloseProgressDialog showed during the flush, and the notepad saved what it looked like.
    QVERIFY2(output.contains(u"notepad: screenshot saved"_s), qPrintable(output));
    const QImage image(screenshot);
    QVERIFY2(!image.isNull(), qPrintable(screenshot));
    qInfo("screenshot of the close progress: %s", qPrintable(screenshot));
}

void tst_Notepad::sigtermEndsWith143AndKeepsTheUnsavedText()
{
    Notepad notepad(m_display);
    QVERIFY2(notepad.start(), qPrintable(notepad.describe()));
    QString why;
    QVERIFY2(type(notepad, u"draft"_s, &why), qPrintable(why));
    QTRY_COMPARE_WITH_TIMEOUT(SystemTest::readFile(notepad.autosave), QByteArray("draft"), 15'000);
    notepad.process().terminate(); // SIGTERM: nobody is asked, nothing can veto

    QCOMPARE(notepad.finish(), 128 + SIGTERM);
    const QString output = notepad.output();
    QVERIFY2(!output.contains(u"unsaved changes?"_s), qPrintable(output));
    QVERIFY2(output.contains(u"notepad: unsaved text kept in "_s + notepad.autosave),
             qPrintable(notepad.describe()));
    QVERIFY(!QFileInfo::exists(notepad.lock));
    // The recovery copy outlives the process, with everything typed: the flush finished.
    QCOMPARE(SystemTest::readFile(notepad.autosave), QByteArray("draft"));
    QFile::remove(notepad.autosave);
    verifyTheFlushFinishedFirst(notepad.tracePath());
}

QTEST_GUILESS_MAIN(tst_Notepad)
#include "tst_notepad.moc"
