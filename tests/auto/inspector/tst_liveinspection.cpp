// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The window's list mode and attaching from it, against a real app in a child process: what the
// list says, the Plugins tab, and File → Save trace read back by the window and by --summary.
#include "closesummary.h"
#include "hooktreemodel.h"
#include "inspectee.h"
#include "mainwindow.h"
#include "pluginmodel.h"
#include "runningapps.h"
#include "runningappsmodel.h"
#include "runningappspage.h"
#include "tracefile.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using InspectorTest::Inspectee;
using Mortar::Inspector::CloseSummary;
using Mortar::Inspector::HookTreeModel;
using Mortar::Inspector::MainWindow;
using Mortar::Inspector::PluginModel;

class tst_LiveInspection : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runtime;

    static void saveScreenshot(QWidget &widget, const QString &name)
    {
        const QString path = QDir(QCoreApplication::applicationDirPath()).filePath(name);
        QVERIFY(widget.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    static QString summaryOf(const QString &traceFile)
    {
        QProcess inspector;
        inspector.start(QStringLiteral(MORTAR_INSPECTOR), {u"--summary"_s, traceFile});
        if (!inspector.waitForFinished(30'000) || inspector.exitCode() != 0)
            return u"failed: "_s + QString::fromUtf8(inspector.readAllStandardError());
        return QString::fromUtf8(inspector.readAllStandardOutput());
    }

    /*! The handlers the Hooks view lists under \a hook, as "name status" (in its order). */
    static QStringList handlersOf(const HookTreeModel *model, const QString &hook)
    {
        QStringList rows;
        for (int h = 0; h < model->rowCount(); ++h) {
            const QModelIndex hookIndex = model->index(h, HookTreeModel::Name);
            if (hookIndex.data().toString() != hook)
                continue;
            for (int r = 0; r < model->rowCount(hookIndex); ++r) {
                rows << model->index(r, HookTreeModel::Name, hookIndex).data().toString() + u' '
                                + model->index(r, HookTreeModel::Status, hookIndex)
                                          .data()
                                          .toString();
            }
        }
        return rows;
    }

    /*! Attaches \a window to \a app (by its pid, as --attach does). */
    static bool attach(MainWindow &window, Inspectee &app)
    {
        QString error;
        const std::optional<Mortar::Inspector::RunningApp> target =
                Mortar::Inspector::RunningApps::find().resolve(QString::number(app.pid()), &error);
        if (!target) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return bool(window.attach(*target));
    }

    static qsizetype indexOfEvent(const QList<Mortar::TraceEvent> &events, const QString &kind,
                                  const QString &handler)
    {
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (events.at(i).kind == kind && events.at(i).handler == handler)
                return i;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(InspectorTest::useOwnRuntimeDirectory(m_runtime)); }

    void saysWhenNoAppIsRunning()
    {
        Inspectee killed;
        QVERIFY(killed.waitUntilReady());
        QVERIFY(killed.killLeavingItsSocket());

        MainWindow window;
        window.showRunningApps();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString message = window.runningAppsPage()->message();
        QVERIFY2(message.startsWith(u"No running Mortar apps found in %1."_s.arg(
                         m_runtime.filePath(u"mortar"_s))),
                 qPrintable(message));
        QVERIFY2(message.contains(u"MORTAR_INSPECT=1"_s), qPrintable(message));
        QVERIFY2(message.contains(u"1 stale socket skipped: its app has ended."_s),
                 qPrintable(message));
        QCOMPARE(window.runningAppsPage()->model()->rowCount(), 0);
        QVERIFY(!window.runningAppsPage()->findChild<QPushButton *>(u"attach"_s)->isEnabled());
        saveScreenshot(window, u"inspector-list-empty.png"_s);
        QFile::remove(killed.socketPath());
        QFile::remove(killed.socketPath() + u".token"_s);
    }

    void attachesFromTheListAndSavesTheTrace()
    {
        const QString appTrace = m_runtime.filePath(u"app.jsonl"_s);
        Inspectee app(appTrace);
        QVERIFY(app.waitUntilReady());

        MainWindow window;
        QAbstractItemModelTester pluginTester(
                window.pluginModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.showRunningApps();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // The list: the app, selected, ready to attach.
        Mortar::Inspector::RunningAppsPage *page = window.runningAppsPage();
        QTRY_COMPARE(page->model()->rowCount(), 1);
        QCOMPARE(page->model()->index(0, 0).data().toString(), u"inspectee"_s);
        QCOMPARE(page->model()->index(0, 1).data().toLongLong(), app.pid());
        QVERIFY2(page->message().startsWith(u"1 running Mortar app in "_s),
                 qPrintable(page->message()));
        QVERIFY(page->view()->selectionModel()->isRowSelected(0, {}));
        saveScreenshot(window, u"inspector-list.png"_s);

        QSignalSpy ended(&window, &MainWindow::appEnded);
        QTest::mouseClick(page->findChild<QPushButton *>(u"attach"_s), Qt::LeftButton);
        QVERIFY(window.tabs()->isVisible());
        QVERIFY(!page->isVisible());

        // Plugins: all three, as the app has them.
        PluginModel *plugins = window.pluginModel();
        QTRY_COMPARE(plugins->rowCount(), 3);
        const auto state = [&](const QString &name) {
            return plugins->index(plugins->rowOf(name), PluginModel::State).data().toString();
        };
        QCOMPARE(state(u"greeter"_s), u"Loaded"_s);
        QCOMPARE(state(u"flaky"_s), u"Failed"_s);
        QCOMPARE(state(u"idle"_s), u"Disabled"_s);
        QTRY_VERIFY2(window.statusText().contains(u"app inspectee"_s)
                             && window.statusText().contains(u"connected"_s),
                     qPrintable(window.statusText()));
        window.tabs()->setCurrentIndex(
                window.tabs()->indexOf(window.tabs()->findChild<QTableView *>(u"plugins"_s)));
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), u"Plugins"_s);
        saveScreenshot(window, u"inspector-plugins.png"_s);

        // SIGTERM: the app closes, the window keeps its trace and says how it ended.
        app.process().terminate();
        QVERIFY(app.waitForExit());
        QTRY_COMPARE(ended.count(), 1);
        QCOMPARE(ended.at(0).at(0).toInt(), app.process().exitCode());
        QCOMPARE(state(u"greeter"_s), u"Unloaded"_s);
        QVERIFY2(window.statusText().contains(u"disconnected"_s), qPrintable(window.statusText()));

        // File → Save trace, read back: the same events, the same close.
        const QString saved = m_runtime.filePath(u"saved.jsonl"_s);
        const Mortar::Result written = window.saveTrace(saved);
        QVERIFY2(written, qPrintable(written.errorString()));
        MainWindow reopened;
        const Mortar::Result opened = reopened.openTraceFile(saved);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        QCOMPARE(reopened.events().size(), window.events().size());
        for (qsizetype i = 0; i < window.events().size(); ++i)
            QCOMPARE(reopened.events().at(i).toJson(), window.events().at(i).toJson());
        const QString summary = CloseSummary::of(window.events()).toText();
        QVERIFY2(summary.contains(u"greeter: say goodbye"_s), qPrintable(summary));
        QCOMPARE(CloseSummary::of(reopened.events()).toText(), summary);
        QCOMPARE(reopened.pluginModel()->rowCount(), 3); // disabled ones too (plugin.disabled)
        QVERIFY(reopened.statusText().contains(u"app inspectee"_s));
        QVERIFY(reopened.statusText().contains(u"pid %1"_s.arg(app.pid())));

        // --summary reads it as it reads the app's own trace file.
        const QString ownSummary = summaryOf(appTrace);
        QVERIFY2(ownSummary.contains(u"\ninspectee (pid %1)\n"_s.arg(app.pid())),
                 qPrintable(ownSummary));
        QCOMPARE(summaryOf(saved), ownSummary);
    }

    void hooksFollowTheRegistryLive()
    {
        // A handler added after the inspector subscribed is in the Hooks view before it runs,
        // where it will run; one removed goes (spec §10.1: its hooks view is the registry's).
        Inspectee app;
        QVERIFY(app.waitUntilReady());
        MainWindow window;
        HookTreeModel *hooks = window.hookModel();
        QAbstractItemModelTester tester(hooks,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(attach(window, app));
        QSignalSpy ended(&window, &MainWindow::appEnded);
        QTRY_VERIFY2(handlersOf(hooks, u"pre_close"_s).contains(u"save state not run"_s),
                     qPrintable(handlersOf(hooks, u"pre_close"_s).join(u", "_s)));
        QTRY_VERIFY(window.statusText().contains(u"connected"_s));

        QVERIFY(app.command("add", "added"));
        QTRY_VERIFY2(handlersOf(hooks, u"pre_close"_s).contains(u"added later not run"_s),
                     qPrintable(handlersOf(hooks, u"pre_close"_s).join(u", "_s)));
        // In run order: weight -7 runs before "save state" (-5).
        const QStringList listed = handlersOf(hooks, u"pre_close"_s);
        QVERIFY2(listed.indexOf(u"added later not run"_s) < listed.indexOf(u"save state not run"_s),
                 qPrintable(listed.join(u", "_s)));
        QCOMPARE(indexOfEvent(window.events(), u"handler.begin"_s, u"added later"_s), -1);

        QVERIFY(app.command("remove", "removed"));
        QTRY_VERIFY2(!handlersOf(hooks, u"pre_close"_s).join(u'|').contains(u"save state"_s),
                     qPrintable(handlersOf(hooks, u"pre_close"_s).join(u", "_s)));
        QVERIFY(handlersOf(hooks, u"pre_close"_s).contains(u"added later not run"_s));

        // The close runs the added one; the removed one stays gone.
        app.process().terminate();
        QVERIFY(app.waitForExit());
        QTRY_COMPARE(ended.count(), 1);
        QVERIFY2(handlersOf(hooks, u"pre_close"_s).contains(u"added later ok"_s),
                 qPrintable(handlersOf(hooks, u"pre_close"_s).join(u", "_s)));
        QVERIFY(!handlersOf(hooks, u"pre_close"_s).join(u'|').contains(u"save state"_s));
        const qsizetype added = indexOfEvent(window.events(), u"handler.added"_s, u"added later"_s);
        QVERIFY(added >= 0);
        QVERIFY(indexOfEvent(window.events(), u"handler.begin"_s, u"added later"_s) > added);
        QVERIFY(indexOfEvent(window.events(), u"handler.removed"_s, u"save state"_s) >= 0);
    }

    void watchdogKillShowsAsInAFile()
    {
        // Followed live, a watchdog kill reads as the app's own trace file reads: the final
        // process.killed record reaches the window before the process goes.
        const QString appTrace = m_runtime.filePath(u"killed.jsonl"_s);
        Inspectee app(appTrace, /*hang=*/true);
        QVERIFY(app.waitUntilReady());
        MainWindow window;
        QAbstractItemModelTester tester(window.hookModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(attach(window, app));
        QSignalSpy ended(&window, &MainWindow::appEnded);
        // Subscribed: the snapshot is in (the window's event loop must run to get there).
        QTRY_VERIFY2(handlersOf(window.hookModel(), u"pre_close"_s).contains(u"hangs not run"_s),
                     qPrintable(handlersOf(window.hookModel(), u"pre_close"_s).join(u", "_s)));
        QVERIFY2(window.statusText().contains(u"(attached)"_s), qPrintable(window.statusText()));

        // The window keeps reading while the close hangs: no blocking wait for the process.
        app.process().terminate();
        QTRY_VERIFY_WITH_TIMEOUT(
                handlersOf(window.hookModel(), u"pre_close"_s).contains(u"hangs running"_s), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        QVERIFY(app.waitForExit());
        QCOMPARE(app.process().exitCode(), 124);
        QCOMPARE(ended.at(0).at(0).toInt(), 124);

        const QString verdict = window.verdictText();
        QVERIFY2(verdict.contains(u" → killed by the watchdog in 'hangs' after "_s),
                 qPrintable(verdict));
        QVERIFY2(verdict.endsWith(u" ms → exit code 124"_s), qPrintable(verdict));
        const QString status = window.statusText();
        QVERIFY2(status.contains(u"state killed"_s) && status.contains(u"exit code 124"_s)
                         && status.contains(u"(attached, ended)"_s)
                         && status.contains(u"killed by the watchdog in 'hangs' after "_s),
                 qPrintable(status));
        QVERIFY2(!status.contains(u"exit code —"_s), qPrintable(status));
        QVERIFY2(handlersOf(window.hookModel(), u"pre_close"_s).contains(u"hangs did not finish"_s),
                 qPrintable(handlersOf(window.hookModel(), u"pre_close"_s).join(u", "_s)));

        // The file says the same.
        MainWindow fromFile;
        QVERIFY(fromFile.openTraceFile(appTrace));
        QCOMPARE(verdict.section(u" after "_s, 0, 0),
                 fromFile.verdictText().section(u" after "_s, 0, 0));
        QCOMPARE(window.events().last().toJson().value(u"kind"_s),
                 fromFile.events().last().toJson().value(u"kind"_s));
        QCOMPARE(window.events().last().seq, fromFile.events().last().seq);
        QVERIFY2(fromFile.statusText().contains(u"state killed"_s),
                 qPrintable(fromFile.statusText()));
    }

    void requestCloseEndsTheApp()
    {
        const QString appTrace = m_runtime.filePath(u"asked.jsonl"_s);
        Inspectee app(appTrace);
        QVERIFY(app.waitUntilReady());
        MainWindow window;
        QVERIFY(!window.requestCloseAction()->isEnabled()); // nothing followed yet
        QString error;
        const std::optional<Mortar::Inspector::RunningApp> target =
                Mortar::Inspector::RunningApps::find().resolve(QString::number(app.pid()), &error);
        QVERIFY2(target, qPrintable(error));
        QVERIFY(window.attach(*target));
        QSignalSpy ended(&window, &MainWindow::appEnded);
        QTRY_VERIFY(window.requestCloseAction()->isEnabled());

        // File → Request close: the app closes by itself, as asked.
        window.requestCloseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(app.process().state(), QProcess::NotRunning, 20000);
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
        QTRY_COMPARE(ended.count(), 1);
        QVERIFY(!window.requestCloseAction()->isEnabled());
        const auto closeBegin = std::find_if(
                window.events().cbegin(), window.events().cend(),
                [](const Mortar::TraceEvent &event) { return event.kind == u"close.begin"_s; });
        QVERIFY(closeBegin != window.events().cend());
        QVERIFY2(window.verdictText().contains(u" → exit code "_s),
                 qPrintable(window.verdictText()));
        qInfo("closed by the inspector: cause '%s'; %s",
              qPrintable(closeBegin->extra.value(u"cause"_s).toString()),
              qPrintable(window.verdictText()));
    }
};

QTEST_MAIN(tst_LiveInspection)
#include "tst_liveinspection.moc"
