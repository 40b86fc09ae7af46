// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The window on a hard close, offscreen: the verdict, the problems list, selection both ways,
// the timeline (opens on the close, readable units, nothing hidden, hit-testing, keys) and the
// non-blocking filter.
#include "comparemodel.h"
#include "eventfiltermodel.h"
#include "eventtablemodel.h"
#include "hooktreemodel.h"
#include "mainwindow.h"
#include "mortartest.h"
#include "problemsmodel.h"
#include "statisticsmodel.h"
#include "timelineview.h"
#include "tracefile.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QListView>
#include <QProgressBar>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::TraceEvent;
using Mortar::Inspector::CompareModel;
using Mortar::Inspector::EventFilterModel;
using Mortar::Inspector::MainWindow;
using Mortar::Inspector::ProblemsModel;
using Mortar::Inspector::TimelineView;

namespace {
constexpr qint64 Ms = 1'000'000;

/*! A close the way a long-running app has one: 20 s of run, then SIGTERM; a 450 ms handler
    overlapped by an asynchronous upload that times out, a failure among 100 small handlers, and
    a handler that hangs until the watchdog kills the process. */
TraceEvent event(const QString &kind, const QString &handler = {},
                 std::initializer_list<std::pair<QString, QJsonValue>> extra = {})
{
    TraceEvent e;
    e.kind = kind;
    e.thread = 1;
    e.handler = handler;
    if (!handler.isEmpty() || kind.startsWith(u"hook."_s)) {
        e.hook = u"pre_close"_s;
        e.weight = 0;
    }
    for (const auto &[key, value] : extra)
        e.extra.insert(key, value);
    return e;
}

/*! Events in order: each gets the next seq and the builder's time. */
struct TraceBuilder
{
    QList<TraceEvent> events;
    qint64 t = 0;

    void add(TraceEvent e)
    {
        e.seq = events.size();
        e.t = t;
        events.append(e);
    }
    /*! \a hook running one 1 ms handler, \a handler, both ok. */
    void hookWithOneHandler(const QString &hook, const QString &handler)
    {
        TraceEvent begin = event(u"hook.begin"_s);
        begin.hook = hook;
        add(begin);
        TraceEvent call = event(u"handler.begin"_s, handler);
        call.hook = hook;
        add(call);
        t += Ms;
        call.kind = u"handler.end"_s;
        call.status = u"ok"_s;
        call.durationNs = Ms;
        add(call);
        TraceEvent end = event(u"hook.end"_s);
        end.hook = hook;
        end.status = u"ok"_s;
        add(end);
    }
};

QList<TraceEvent> hardClose(bool earlier = false)
{
    QList<TraceEvent> events;
    qint64 t = 0;
    const auto add = [&](TraceEvent e) {
        e.seq = events.size();
        e.t = t;
        events.append(e);
    };
    add(event(u"app.created"_s));
    add(event(u"state"_s, {}, {{u"state"_s, u"Running"_s}}));
    t = 20'000 * Ms;
    add(event(u"signal"_s, {}, {{u"signal"_s, u"SIGTERM"_s}, {u"signalNumber"_s, 15}}));
    add(event(u"state"_s, {}, {{u"state"_s, u"Closing"_s}}));
    add(event(u"close.begin"_s, {}, {{u"cause"_s, u"signal"_s}}));
    add(event(u"hook.begin"_s));
    const auto handler = [&](const QString &name, qint64 durationNs,
                             const QString &status = u"ok"_s, const QString &error = {},
                             bool deferred = false) {
        TraceEvent begin = event(u"handler.begin"_s, name);
        begin.owner = u"shop"_s;
        begin.source = u"main.cpp:1"_s;
        add(begin);
        t += durationNs;
        TraceEvent end = event(u"handler.end"_s, name);
        end.status = status;
        end.error = error;
        end.durationNs = durationNs;
        if (deferred)
            end.extra.insert(u"deferred"_s, true);
        add(end);
    };
    handler(u"telemetry: upload"_s, 1 * Ms, u"ok"_s, {}, true);
    // The earlier run of the same app: the compaction was quicker and the journal flushed.
    handler(u"storage: compact database"_s, earlier ? 200 * Ms : 450 * Ms);
    for (int i = 0; i < 100; ++i) {
        if (i == 50 && earlier)
            handler(u"storage: flush journal"_s, Ms / 100);
        else if (i == 50)
            handler(u"storage: flush journal"_s, Ms / 100, u"failed"_s, u"disk full"_s);
        handler(u"step %1"_s.arg(i), Ms / 100);
    }
    t += 100 * Ms;
    TraceEvent timedOut = event(u"deferral.end"_s, u"telemetry: upload"_s);
    timedOut.status = u"timedOut"_s;
    timedOut.error = u"did not finish within 500 ms"_s;
    timedOut.durationNs = 500 * Ms;
    add(timedOut);
    TraceEvent hangs = event(u"handler.begin"_s, u"ui: save layout"_s);
    hangs.owner = u"shop"_s;
    add(hangs);
    t = 20'000 * Ms + 1459 * Ms;
    TraceEvent killed =
            event(u"process.killed"_s, u"ui: save layout"_s, {{u"cause"_s, u"watchdog"_s}});
    killed.thread = 0;
    killed.weight.reset();
    killed.code = 124;
    add(killed);
    return events;
}
} // namespace

class tst_CloseView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_trace;
    QString m_base;

    static int spanNamed(const TimelineView *timeline, const QString &name)
    {
        for (int s = 0; s < timeline->spans().size(); ++s) {
            if (timeline->nameOf(timeline->spans().at(s)) == name)
                return s;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_trace = m_dir.filePath(u"hard.jsonl"_s);
        const Mortar::Result saved = Mortar::Inspector::TraceFile::save(
                m_trace, Mortar::Inspector::TraceFile::header(u"shop"_s, 42), hardClose());
        QVERIFY2(saved, qPrintable(saved.errorString()));
        m_base = m_dir.filePath(u"earlier.jsonl"_s);
        QVERIFY(Mortar::Inspector::TraceFile::save(
                m_base, Mortar::Inspector::TraceFile::header(u"shop"_s, 41), hardClose(true)));
    }

    void statisticsSortAndGroup()
    {
        MainWindow window;
        QVERIFY(window.openTraceFile(m_trace));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        Mortar::Inspector::StatisticsModel *statistics = window.statisticsModel();
        QAbstractItemModelTester tester(statistics,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(statistics->rowCount(), 0); // not computed before it is looked at
        window.showStatistics();
        QCOMPARE(statistics->rowCount(), 104); // 2 + 100 steps + the failing one + the hang
        QTableView *view = window.statisticsView();
        // By total, longest first: the hang (until the trace stops), the timed-out upload, the
        // 450 ms handler.
        QStringList longest;
        for (int row = 0; row < 3; ++row)
            longest << view->model()->index(row, 0).data().toString() + u' '
                            + view->model()
                                      ->index(row, Mortar::Inspector::StatisticsModel::Total)
                                      .data()
                                      .toString();
        QCOMPARE(longest,
                 (QStringList{u"ui: save layout 907 ms"_s, u"telemetry: upload 500 ms"_s,
                              u"storage: compact database 450 ms"_s}));
        // A click on "problems" sorts by it; the hang, the failure and the timeout come first.
        QHeaderView *header = view->horizontalHeader();
        const int problems = Mortar::Inspector::StatisticsModel::Problems;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(problems) + 5, 5));
        if (view->model()->index(0, problems).data().toInt() == 0) // ascending first
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                              QPoint(header->sectionViewportPosition(problems) + 5, 5));
        QStringList worst;
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(view->model()->index(row, problems).data().toInt(), 1);
            worst << view->model()->index(row, 0).data().toString();
        }
        worst.sort();
        QCOMPARE(worst,
                 (QStringList{u"storage: flush journal"_s, u"telemetry: upload"_s,
                              u"ui: save layout"_s}));
        // Per plugin: one owner, its 104 handlers, 3 problems.
        window.statisticsView()
                ->parentWidget()
                ->findChild<QComboBox *>(u"grouping"_s)
                ->setCurrentIndex(1);
        QCOMPARE(statistics->rowCount(), 1);
        QCOMPARE(statistics->index(0, 0).data().toString(), u"shop"_s);
        QCOMPARE(statistics->index(0, Mortar::Inspector::StatisticsModel::Hook).data().toInt(),
                 104);
        QCOMPARE(statistics->index(0, problems).data().toInt(), 3);
    }

    void compareView()
    {
        MainWindow window;
        QVERIFY(window.openTraceFile(m_trace));
        QVERIFY(window.compareWith(m_base));
        CompareModel *compare = window.compareModel();
        QAbstractItemModelTester tester(compare,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), u"Compare"_s);
        QVERIFY2(window.compareVerdict().contains(u"Regressed: 2 handlers"_s),
                 qPrintable(window.compareVerdict()));
        // The regressions first: the new failure, the compaction that took 250 ms longer.
        QStringList top;
        for (int row = 0; row < 2; ++row) {
            QVERIFY(compare->index(row, 0).data(CompareModel::RegressedRole).toBool());
            top << compare->index(row, CompareModel::Handler).data().toString() + u": "_s
                            + compare->index(row, CompareModel::Change).data().toString();
        }
        QCOMPARE(top,
                 (QStringList{u"storage: flush journal: ok → failed (disk full)"_s,
                              u"storage: compact database: slower: 200 ms → 450 ms "
                              u"(+125.0 %)"_s}));
        QVERIFY(!compare->index(2, 0).data(CompareModel::RegressedRole).toBool());
        QVERIFY(!window.compareWith(m_dir.filePath(u"missing.jsonl"_s)));
    }

    void verdictAndProblems()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.problemsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(window.openTraceFile(m_trace));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.verdictText(),
                 u"SIGTERM → 1 failed, 1 timed out → killed by the watchdog in 'ui: save layout' "
                 u"after 1459 ms → exit code 124"_s);
        QVERIFY2(window.statusText().contains(
                         u"closed by SIGTERM, killed by the watchdog in 'ui: save layout' after "
                         u"1459 ms"_s),
                 qPrintable(window.statusText()));
        QVERIFY(window.statusText().contains(u"exit code 124"_s));

        // Ranked: the failure, the timeout, the hang, then the slowest.
        ProblemsModel *problems = window.problemsModel();
        QStringList handlers;
        for (int row = 0; row < problems->rowCount(); ++row)
            handlers << problems->index(row).data(ProblemsModel::HandlerRole).toString();
        QCOMPARE(handlers.mid(0, 4),
                 (QStringList{u"storage: flush journal"_s, u"telemetry: upload"_s,
                              u"ui: save layout"_s, u"storage: compact database"_s}));
        // The first problem is selected on opening: the failure, in the timeline and the table.
        TimelineView *timeline = window.timeline();
        QCOMPARE(timeline->nameOf(timeline->spans().at(timeline->selectedSpan())),
                 u"storage: flush journal"_s);
        QVERIFY2(window.detailsText().contains(u"disk full"_s), qPrintable(window.detailsText()));
        QCOMPARE(window.events().at(window.selectedEventRow()).handler,
                 u"storage: flush journal"_s);

        // Clicking the timeout selects its asynchronous part; N goes on to the hang.
        QListView *view = window.problemsView();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->visualRect(problems->index(1)).center());
        QCOMPARE(timeline->nameOf(timeline->spans().at(timeline->selectedSpan())),
                 u"telemetry: upload (async)"_s);
        QCOMPARE(window.events().at(window.selectedEventRow()).kind, u"deferral.end"_s);
        window.nextProblem();
        QCOMPARE(timeline->nameOf(timeline->spans().at(timeline->selectedSpan())),
                 u"ui: save layout"_s);
        QVERIFY2(window.detailsText().contains(u"did not finish"_s),
                 qPrintable(window.detailsText()));

        // The Hooks tab says so too, not "running"; the table says what the events mean.
        Mortar::Inspector::HookTreeModel *hooks = window.hookModel();
        const QModelIndex preClose = hooks->index(0, 0);
        QCOMPARE(preClose.data().toString(), u"pre_close"_s);
        const int last = hooks->rowCount(preClose) - 1;
        QCOMPARE(hooks->index(last, 0, preClose).data().toString(), u"ui: save layout"_s);
        QCOMPARE(hooks->index(last, Mortar::Inspector::HookTreeModel::Status, preClose)
                         .data()
                         .toString(),
                 u"did not finish"_s);
        Mortar::Inspector::EventTableModel *events = window.eventModel();
        const auto detailsOf = [&](const QString &kind) {
            for (int row = 0; row < events->rowCount(); ++row) {
                if (events->event(row).kind == kind)
                    return events->index(row, Mortar::Inspector::EventTableModel::Details)
                            .data()
                            .toString();
            }
            return QString();
        };
        QCOMPARE(detailsOf(u"signal"_s), u"SIGTERM"_s);
        QCOMPARE(detailsOf(u"process.killed"_s), u"watchdog in 'ui: save layout', exit code 124"_s);
    }

    void leaksAreListedAndCounted()
    {
        // What outlived the close (spec §16): after the handler problems in the list, each
        // selecting its event, and counted in the summary.
        QList<TraceEvent> events = hardClose();
        const TraceEvent killed = events.takeLast(); // the leaks come before the process's end
        const auto leak = [&](const QString &kind, const QString &what,
                              std::initializer_list<std::pair<QString, QJsonValue>> extra) {
            TraceEvent e = ::event(kind, {}, extra);
            e.message = what;
            e.seq = events.size();
            e.t = killed.t - 1;
            events.append(e);
        };
        leak(u"leak.thread"_s, u"QThread 'uploader'"_s,
             {{u"plugin"_s, u"leaky"_s},
              {u"className"_s, u"QThread"_s},
              {u"objectName"_s, u"uploader"_s}});
        leak(u"leak.fd"_s, u"file descriptor 9 (/dev/null)"_s,
             {{u"fd"_s, 9}, {u"target"_s, u"/dev/null"_s}});
        TraceEvent last = killed;
        last.seq = events.size();
        events.append(last);
        const QString path = m_dir.filePath(u"leaks.jsonl"_s);
        QVERIFY(Mortar::Inspector::TraceFile::save(
                path, Mortar::Inspector::TraceFile::header(u"shop"_s, 43), events));

        MainWindow window;
        QAbstractItemModelTester tester(window.problemsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(window.openTraceFile(path));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        ProblemsModel *problems = window.problemsModel();
        const int rows = problems->rowCount();
        QVERIFY(rows >= 6); // the handler problems, then the two leaks
        QCOMPARE(problems->index(rows - 2).data().toString(),
                 u"leak  thread QThread 'uploader' (plugin leaky)"_s);
        QCOMPARE(problems->index(rows - 1).data().toString(),
                 u"leak  fd file descriptor 9 (/dev/null)"_s);
        QCOMPARE(problems->index(rows - 1).data(ProblemsModel::KindRole).toInt(),
                 ProblemsModel::LeakKind);
        // The handler problems still come first.
        QCOMPARE(problems->index(0).data(ProblemsModel::HandlerRole).toString(),
                 u"storage: flush journal"_s);

        // Clicking a leak selects its event.
        auto *list = window.findChild<QListView *>(u"problems"_s);
        QVERIFY(list);
        list->scrollTo(problems->index(rows - 2));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                          list->visualRect(problems->index(rows - 2)).center());
        QVERIFY(window.selectedEventRow() >= 0);
        QCOMPARE(window.events().at(window.selectedEventRow()).kind, u"leak.thread"_s);

        const QString summary = Mortar::Inspector::CloseSummary::of(events).toText();
        QVERIFY2(summary.contains(u"\n2 leaks: QThread 'uploader' (plugin leaky), file "
                                  u"descriptor 9 (/dev/null)\n"_s),
                 qPrintable(summary));
        QVERIFY2(summary.contains(u"\n  thread  QThread 'uploader' (plugin leaky)\n"_s),
                 qPrintable(summary));
    }

    void opensInTheBackground()
    {
        MainWindow window;
        window.setProperty("unattended", true); // the failure below: no message box
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::traceOpened);
        window.openTraceFileInBackground(m_trace);
        // Returns at once: the file is read in a worker, with a progress bar meanwhile.
        QVERIFY(window.isLoading());
        QVERIFY(window.findChild<QProgressBar *>(u"loading"_s));
        QVERIFY(opened.wait());
        QVERIFY(opened.at(0).at(0).value<Mortar::Result>());
        QVERIFY(!window.isLoading());
        QTRY_VERIFY(!window.findChild<QProgressBar *>(u"loading"_s));
        QVERIFY(window.verdictText().startsWith(u"SIGTERM → 1 failed, 1 timed out"_s));
        QCOMPARE(window.events().size(), hardClose().size());

        window.openTraceFileInBackground(m_dir.filePath(u"missing.jsonl"_s));
        QVERIFY(opened.wait());
        const auto failed = opened.at(1).at(0).value<Mortar::Result>();
        QVERIFY(!failed);
        QVERIFY(failed.errorString().contains(u"missing.jsonl"_s));
        QCOMPARE(window.events().size(), hardClose().size()); // what was shown stays
    }

    void selectionBothWays()
    {
        MainWindow window;
        QVERIFY(window.openTraceFile(m_trace));
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TimelineView *timeline = window.timeline();

        // Span → row: a click on the slow handler selects its handler.begin in the table.
        const int compact = spanNamed(timeline, u"storage: compact database"_s);
        QVERIFY(compact >= 0);
        QTest::mouseClick(timeline, Qt::LeftButton, {},
                          timeline->rectOf(compact).center().toPoint());
        QCOMPARE(timeline->selectedSpan(), compact);
        const int row = window.selectedEventRow();
        QCOMPARE(window.events().at(row).kind, u"handler.begin"_s);
        QCOMPARE(window.events().at(row).handler, u"storage: compact database"_s);
        QVERIFY(window.detailsText().contains(u"450 ms"_s));

        // Row → span: selecting an event of another handler in the table selects its span.
        int stepRow = -1;
        for (int i = 0; i < window.events().size(); ++i) {
            if (window.events().at(i).handler == u"step 7"_s
                && window.events().at(i).kind == u"handler.end"_s)
                stepRow = i;
        }
        QTableView *table = window.eventView();
        table->setCurrentIndex(
                window.eventFilter()->mapFromSource(window.eventModel()->index(stepRow, 0)));
        QCOMPARE(timeline->nameOf(timeline->spans().at(timeline->selectedSpan())), u"step 7"_s);
        QVERIFY(window.detailsText().contains(u"step 7"_s));
    }

    void timelineRowsScroll()
    {
        // 30 hooks, 30 lanes: more rows than the timeline asks room for. They are a scroll
        // away, with the axis in place; selecting a span scrolls its row into view.
        TraceBuilder trace;
        trace.add(::event(u"app.created"_s));
        trace.add(::event(u"close.begin"_s, {}, {{u"cause"_s, u"close"_s}}));
        for (int h = 0; h < 30; ++h)
            trace.hookWithOneHandler(u"hook %1"_s.arg(h), u"handler %1"_s.arg(h));
        const QString path = m_dir.filePath(u"lanes.jsonl"_s);
        QVERIFY(Mortar::Inspector::TraceFile::save(
                path, Mortar::Inspector::TraceFile::header(u"shop"_s, 44), trace.events));

        MainWindow window;
        QVERIFY(window.openTraceFile(path));
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TimelineView *timeline = window.timeline();
        QCOMPARE(timeline->laneNames().size(), 30);
        QVERIFY(timeline->rowCount() >= 60); // a hook row and a handler row each
        auto *bar = timeline->findChild<QScrollBar *>(u"rows"_s);
        QVERIFY(bar);
        QVERIFY(bar->isVisible());
        QCOMPARE(timeline->rowScroll(), 0);
        const int last = spanNamed(timeline, u"handler 29"_s);
        QVERIFY(timeline->rectOf(last).top() > timeline->height()); // below, out of sight

        timeline->selectSpan(last);
        QVERIFY(timeline->rowScroll() > 0);
        const QRectF shown = timeline->rectOf(last);
        QVERIFY2(shown.top() >= 0 && shown.bottom() <= timeline->height(),
                 qPrintable(u"%1..%2 of %3"_s.arg(shown.top())
                                    .arg(shown.bottom())
                                    .arg(timeline->height())));
        QCOMPARE(timeline->spanAt(shown.center()), last); // hit-testing follows the scroll

        // Back to the top: the first hook's handler is where it was, under the axis.
        bar->setValue(0);
        const int first = spanNamed(timeline, u"handler 0"_s);
        QVERIFY(timeline->rectOf(first).top() >= 40);
        QCOMPARE(timeline->spanAt(timeline->rectOf(first).center()), first);
        QVERIFY(timeline->spanAt(timeline->rectOf(last).center()) != last);
    }

    void timelineListsTheCloseHooksFirst()
    {
        // Setup's hooks ran first, but the view opens on the close: its hooks come first, so
        // they are in sight without scrolling.
        TraceBuilder trace;
        trace.add(::event(u"app.created"_s));
        for (const QString &name : {u"pre_setup"_s, u"post_setup"_s, u"pre_run"_s})
            trace.hookWithOneHandler(name, name + u" handler"_s);
        trace.t += 1000 * Ms;
        trace.add(::event(u"close.begin"_s, {}, {{u"cause"_s, u"close"_s}}));
        trace.hookWithOneHandler(u"pre_close"_s, u"pre_close handler"_s);
        trace.hookWithOneHandler(u"post_close"_s, u"post_close handler"_s);
        trace.add(::event(u"close.end"_s));
        const QString path = m_dir.filePath(u"setup-then-close.jsonl"_s);
        QVERIFY(Mortar::Inspector::TraceFile::save(
                path, Mortar::Inspector::TraceFile::header(u"shop"_s, 45), trace.events));

        MainWindow window;
        QVERIFY(window.openTraceFile(path));
        QCOMPARE(window.timeline()->laneNames(),
                 (QStringList{u"pre_close"_s, u"post_close"_s, u"pre_setup"_s, u"post_setup"_s,
                              u"pre_run"_s}));
    }

    void timelineShowsTheCloseWithNothingHidden()
    {
        MainWindow window;
        QVERIFY(window.openTraceFile(m_trace));
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TimelineView *timeline = window.timeline();

        // It opens on the close (20 s into the run, 1.46 s long), not on the whole run.
        QVERIFY2(timeline->visibleStartNs() > 19'900 * Ms
                         && timeline->visibleStartNs() <= 20'000 * Ms,
                 qPrintable(QString::number(timeline->visibleStartNs())));
        QVERIFY(timeline->visibleEndNs() >= 21'459 * Ms && timeline->visibleEndNs() < 21'600 * Ms);

        // The asynchronous upload and the 450 ms handler it overlaps are on different rows;
        // the hook is a row of its own above them.
        const TimelineView::Span &upload =
                timeline->spans().at(spanNamed(timeline, u"telemetry: upload (async)"_s));
        const TimelineView::Span &compact =
                timeline->spans().at(spanNamed(timeline, u"storage: compact database"_s));
        const TimelineView::Span &hook = timeline->spans().at(spanNamed(timeline, u"pre_close"_s));
        QVERIFY(upload.startNs < compact.endNs && upload.endNs > compact.startNs); // they overlap
        QVERIFY(upload.row != compact.row);
        QVERIFY(hook.row < compact.row && hook.row < upload.row);
        QCOMPARE(upload.status, TimelineView::Status::TimedOut);
        QCOMPARE(timeline->spans().at(spanNamed(timeline, u"ui: save layout"_s)).status,
                 TimelineView::Status::DidNotFinish);

        // The failure, 10 µs among 10 µs neighbours (far below a pixel), is drawn wider and
        // on top — and that is what a click there picks.
        const int failed = spanNamed(timeline, u"storage: flush journal"_s);
        const QRectF box = timeline->rectOf(failed);
        QVERIFY(box.width() >= 6);
        QCOMPARE(timeline->spanAt(box.center()), failed);

        // Keys: zoom in around the centre, show everything, back to the close.
        const qint64 before = timeline->visibleEndNs() - timeline->visibleStartNs();
        timeline->setFocus();
        QTest::keyClick(timeline, Qt::Key_Plus);
        QVERIFY(timeline->visibleEndNs() - timeline->visibleStartNs() < before * 0.8);
        QTest::keyClick(timeline, Qt::Key_Right);
        QTest::keyClick(timeline, Qt::Key_0);
        QVERIFY(timeline->visibleStartNs() <= 0 && timeline->visibleEndNs() >= 21'459 * Ms);
        QTest::keyClick(timeline, Qt::Key_C);
        QVERIFY(timeline->visibleStartNs() > 19'900 * Ms);
        // Z zooms to the selected span.
        timeline->selectSpan(spanNamed(timeline, u"storage: compact database"_s));
        QTest::keyClick(timeline, Qt::Key_Z);
        QVERIFY(timeline->visibleEndNs() - timeline->visibleStartNs() < 600 * Ms);
    }

    void rangeSelectionHasTotals()
    {
        MainWindow window;
        QVERIFY(window.openTraceFile(m_trace));
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TimelineView *timeline = window.timeline();
        // Shift + drag over the first half of the close (20 s to 20.3 s into the run).
        const auto xOf = [timeline](qint64 ns) {
            const double perPixel = double(timeline->visibleEndNs() - timeline->visibleStartNs())
                    / double(timeline->width() - 160);
            return int(150 + double(ns - timeline->visibleStartNs()) / perPixel);
        };
        const int y = int(
                timeline->rectOf(spanNamed(timeline, u"storage: compact database"_s)).center().y());
        QSignalSpy selected(timeline, &TimelineView::rangeSelected);
        QTest::mousePress(timeline, Qt::LeftButton, Qt::ShiftModifier, QPoint(xOf(20'000 * Ms), y));
        QMouseEvent move(QEvent::MouseMove, QPointF(xOf(20'300 * Ms), y),
                         timeline->mapToGlobal(QPointF(xOf(20'300 * Ms), y)), Qt::NoButton,
                         Qt::LeftButton, Qt::ShiftModifier);
        QCoreApplication::sendEvent(timeline, &move);
        QTest::mouseRelease(timeline, Qt::LeftButton, Qt::ShiftModifier,
                            QPoint(xOf(20'300 * Ms), y));
        QCOMPARE(selected.count(), 1);
        QVERIFY(timeline->range());
        QVERIFY(std::abs(timeline->range()->first - 20'000 * Ms) < 5 * Ms);
        QVERIFY(std::abs(timeline->range()->second - 20'300 * Ms) < 5 * Ms);
        // The upload's call and its asynchronous part (499 ms from its return to its timeout),
        // and the compaction: 3 runs; the details pane says so.
        timeline->selectRange(20'000 * Ms, 20'300 * Ms);
        QVERIFY2(window.detailsText().contains(u"3 handler runs"_s),
                 qPrintable(window.detailsText()));
        QVERIFY(window.detailsText().contains(u"1 problems"_s)); // the timed-out upload
        QVERIFY(window.detailsText().contains(u"longest: telemetry: upload (async), 499 ms"_s));
        QVERIFY(window.detailsText().contains(u"300 ms in handler calls"_s));
        // Z zooms to it, Escape clears it.
        timeline->setFocus();
        QTest::keyClick(timeline, Qt::Key_Z);
        QCOMPARE(timeline->visibleStartNs(), 20'000 * Ms);
        QTest::keyClick(timeline, Qt::Key_Escape);
        QVERIFY(!timeline->range());
    }

    void axisUnitsAreReadable()
    {
        QCOMPARE(TimelineView::tickLabel(10'000 * Ms, 5'000 * Ms), u"10 s"_s);
        QCOMPARE(TimelineView::tickLabel(1'000 * Ms, 500 * Ms), u"1 s"_s);
        QCOMPARE(TimelineView::tickLabel(1'500 * Ms, 500 * Ms), u"1.5 s"_s);
        QCOMPARE(TimelineView::tickLabel(20'250 * Ms, 50 * Ms), u"20.25 s"_s);
        // 50 µs ticks 20 s into the run: in ms, as the table's t (20007.750 ms).
        QCOMPARE(TimelineView::tickLabel(20'007'750'000.0, 50'000, 20'007'900'000.0),
                 u"20007.75 ms"_s);
        QCOMPARE(TimelineView::tickLabel(250'000, 50'000), u"250 µs"_s);
        QCOMPARE(TimelineView::tickLabel(1'500, 500), u"1.5 µs"_s);
        QCOMPARE(TimelineView::tickLabel(0, 2e8, 1.4e9), u"0 s"_s); // one unit per axis
        QCOMPARE(TimelineView::tickStep(90 * 1.3e6), 2e8);
    }

    void filterIsDebouncedAndAResetNotARemoval()
    {
        MainWindow window;
        EventFilterModel *filter = window.eventFilter();
        QAbstractItemModelTester tester(filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(window.openTraceFile(m_trace));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const int all = filter->rowCount();
        QCOMPARE(all, window.events().size());

        QSignalSpy removed(filter, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(filter, &QAbstractItemModel::modelReset);
        QSignalSpy applied(filter, &EventFilterModel::filterApplied);
        QTest::keyClicks(window.filterEdit(), u"journal"_s);
        // Typing did not filter yet: it waits for a pause, then works in the background.
        QCOMPARE(filter->rowCount(), all);
        QVERIFY(filter->isFiltering());
        QVERIFY(applied.wait());
        QCOMPARE(applied.count(), 1); // once for the whole word, not once a keystroke
        QCOMPARE(removed.count(), 0);
        QVERIFY(reset.count() >= 1);
        QCOMPARE(filter->rowCount(), 2); // the failing handler's begin and end
        for (int row = 0; row < filter->rowCount(); ++row)
            QVERIFY(filter->index(row, 5).data().toString().contains(u"journal"_s));

        // "problems": the failure, the timeout, the hang, and the forced end.
        window.filterEdit()->setText(u"problems"_s);
        QVERIFY(applied.wait());
        QStringList kinds;
        for (int row = 0; row < filter->rowCount(); ++row)
            kinds << filter->index(row, 3).data().toString() + u' '
                            + filter->index(row, 5).data().toString();
        QCOMPARE(kinds,
                 (QStringList{u"handler.end storage: flush journal"_s,
                              u"deferral.end telemetry: upload"_s,
                              u"handler.begin ui: save layout"_s,
                              u"process.killed ui: save layout"_s}));
        window.filterEdit()->clear();
        QVERIFY(applied.wait());
        QCOMPARE(filter->rowCount(), all);
    }
};

MORTAR_TEST_WIDGETS_MAIN(tst_CloseView)
#include "tst_closeview.moc"
