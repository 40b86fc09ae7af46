// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "eventtablemodel.h"
#include "hooktreemodel.h"
#include "mainwindow.h"
#include "mortartest.h"
#include "timelineview.h"

#include <mortar/app.h>

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::Inspector::HookTreeModel;
using Mortar::Inspector::MainWindow;
using Mortar::Inspector::TimelineView;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_trace;

private Q_SLOTS:
    void initTestCase()
    {
        // A real App's close, written to a real trace file.
        m_trace = m_dir.filePath(u"close.jsonl"_s);
        Mortar::App app({.label = u"shop"_s, .traceFile = m_trace});
        app.hooks().add(u"pre_close"_s, [] { QThread::msleep(3); },
                        {.weight = -10, .name = u"close database"_s});
        app.hooks().add(u"pre_close"_s,
                        [] { throw std::runtime_error("cache directory is read-only"); },
                        {.weight = 5, .name = u"remove cache"_s});
        app.hooks().add(u"pre_close"_s,
                        [](Mortar::HookContext &context) {
                            QTimer::singleShot(
                                    40, [d = std::make_shared<Mortar::Deferral>(context.defer())] {
                                        d->complete();
                                    });
                        },
                        {.weight = 10, .name = u"upload session"_s});
        app.hooks().add(u"post_close"_s, [] { QThread::msleep(2); },
                        {.name = u"remove pid file"_s});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"'remove cache' .* read-only"_s));
        app.close();
    }

    void showsTheClose()
    {
        MainWindow window;
        QAbstractItemModelTester hooksTester(
                window.hookModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester eventsTester(
                window.eventModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const Mortar::Result opened = window.openTraceFile(m_trace);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Hooks: pre_close's handlers in run order, with how they ended.
        HookTreeModel *hooks = window.hookModel();
        QModelIndex preClose;
        for (int row = 0; row < hooks->rowCount(); ++row) {
            if (hooks->index(row, 0).data().toString() == u"pre_close"_s)
                preClose = hooks->index(row, 0);
        }
        QVERIFY(preClose.isValid());
        QStringList handlers, statuses;
        for (int row = 0; row < hooks->rowCount(preClose); ++row) {
            handlers << hooks->index(row, HookTreeModel::Name, preClose).data().toString();
            statuses << hooks->index(row, HookTreeModel::Status, preClose).data().toString();
        }
        QCOMPARE(handlers,
                 (QStringList{u"close database"_s, u"App::preClose()"_s, u"remove cache"_s,
                              u"upload session"_s}));
        QCOMPARE(statuses, (QStringList{u"ok"_s, u"ok"_s, u"failed"_s, u"ok"_s}));
        QCOMPARE(hooks->index(2, HookTreeModel::Error, preClose).data().toString(),
                 u"cache directory is read-only"_s);

        // Timeline: a lane per hook; in it the hook, a span per handler call, and the
        // asynchronous part of "upload session" on a row of its own.
        TimelineView *timeline = window.timeline();
        QCOMPARE(timeline->laneNames(), (QStringList{u"pre_close"_s, u"post_close"_s}));
        const QList<int> handlerSpans = timeline->handlerSpans();
        QStringList spanNames;
        for (const int s : handlerSpans)
            spanNames << timeline->nameOf(timeline->spans().at(s));
        QCOMPARE(spanNames,
                 (QStringList{u"close database"_s, u"App::preClose()"_s, u"remove cache"_s,
                              u"upload session"_s, u"upload session (async)"_s,
                              u"App::postClose()"_s, u"remove pid file"_s}));
        const TimelineView::Span &async = timeline->spans().at(handlerSpans.at(4));
        const TimelineView::Span &call = timeline->spans().at(handlerSpans.at(3));
        QVERIFY(async.durationNs() >= 35'000'000);
        QVERIFY(async.row != call.row);    // no span covers another
        QCOMPARE(timeline->rowCount(), 5); // pre_close: hook, calls, async; post_close: hook, calls

        QVERIFY2(window.statusText().contains(u"app shop"_s), qPrintable(window.statusText()));
        QVERIFY(window.statusText().contains(u"state Closed"_s));
        QVERIFY(window.statusText().contains(u"exit code 1"_s));
        QVERIFY2(window.statusText().contains(u"closed by close(), closed in "_s),
                 qPrintable(window.statusText()));
        QVERIFY2(window.verdictText().startsWith(u"close() → 1 failed → closed in "_s),
                 qPrintable(window.verdictText()));

        // Look at it: the screenshot is kept for a human (and the docs).
        const QString screenshot =
                QDir(QCoreApplication::applicationDirPath()).filePath(u"inspector-close.png"_s);
        QVERIFY(window.grab().save(screenshot));
        qInfo("screenshot: %s", qPrintable(screenshot));
    }

    void frameworkWarningsAreInTheLogTab()
    {
        // The framework's own warnings (mortar.*) reach the trace as log events, so the Log
        // tab has them beside the App's own lines — each once.
        const QString path = m_dir.filePath(u"warned.jsonl"_s);
        {
            Mortar::App app({.label = u"warner"_s, .traceFile = path});
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"no_such_hook"_s));
            app.hooks().add(u"no_such_hook"_s, [] {}, {.name = u"orphan"_s});
            QTest::ignoreMessage(QtWarningMsg, "the app's own warning");
            app.log().warning(u"the app's own warning"_s);
            app.close();
        }
        MainWindow window;
        QVERIFY(window.openTraceFile(path));
        QTabWidget *tabs = window.tabs();
        int logTab = -1;
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->tabText(i) == u"Log"_s)
                logTab = i;
        }
        QVERIFY(logTab >= 0);
        auto *view = qobject_cast<QAbstractItemView *>(tabs->widget(logTab));
        QVERIFY(view);
        QStringList lines;
        for (int row = 0; row < view->model()->rowCount(); ++row)
            lines << view->model()
                             ->index(row, Mortar::Inspector::EventTableModel::Details)
                             .data()
                             .toString();
        const QStringList framework = lines.filter(u"no_such_hook"_s);
        QCOMPARE(framework.size(), 1);
        QVERIFY2(framework.first().startsWith(u"warning: "_s), qPrintable(framework.first()));
        QCOMPARE(lines.filter(u"the app's own warning"_s).size(), 1);
        const auto event = std::find_if(
                window.events().cbegin(), window.events().cend(), [](const Mortar::TraceEvent &e) {
                    return e.kind == u"log"_s && e.message.contains(u"no_such_hook"_s);
                });
        QVERIFY(event != window.events().cend());
        QCOMPARE(event->extra.value(u"category"_s).toString(), u"mortar.hooks"_s);
    }

    void refusesWhatIsNotATrace()
    {
        MainWindow window;
        const Mortar::Result opened = window.openTraceFile(m_dir.filePath(u"missing.jsonl"_s));
        QVERIFY(!opened);
        QVERIFY(opened.errorString().contains(u"missing.jsonl"_s));
    }
};

MORTAR_TEST_WIDGETS_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
