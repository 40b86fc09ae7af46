// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "inspectionsession.h"

#include <mortar/chromeexport.h>
#include <mortar/inspectionprotocol.h>

#include "closecompare.h"
#include "closesummary.h"
#include "comparemodel.h"
#include "eventfiltermodel.h"
#include "eventtablemodel.h"
#include "hooktreemodel.h"
#include "inspectorclient.h"
#include "pluginmodel.h"
#include "problemsmodel.h"
#include "runningappspage.h"
#include "statisticsmodel.h"
#include "timelineview.h"
#include "tracefile.h"

#include <mortar/tracespans.h>

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QScopedValueRollback>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
QTableView *makeEventTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->verticalHeader()->hide();
    // Fixed: a million rows must not be measured (nor hidden) one by one.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    return view;
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_stack(new QStackedWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_hookModel(new HookTreeModel(this)),
      m_hookView(new QTreeView(this)),
      m_timeline(new TimelineView(this)),
      m_eventModel(new EventTableModel(this)),
      m_eventFilter(new EventFilterModel(this)),
      m_problemsModel(new ProblemsModel(this)),
      m_problemsView(new QListView(this)),
      m_verdict(new QLabel(this)),
      m_details(new QLabel(this)),
      m_filterEdit(new QLineEdit(this)),
      m_logFilter(new QSortFilterProxyModel(this)),
      m_pluginModel(new PluginModel(this)),
      m_status(new QLabel(this))
{
    setWindowTitle(u"Mortar Inspector"_s);
    m_session = new InspectionSession(this);

    m_hookView->setModel(m_hookModel);
    m_hookView->setUniformRowHeights(true);
    m_hookView->setAlternatingRowColors(true);
    m_tabs->addTab(m_hookView, u"Hooks"_s);

    // Cleanup trace: the problems on the left; the timeline, the selection's details and every
    // event (filtered by what is typed) on the right.
    m_eventFilter->setSourceModel(m_eventModel);
    m_filterEdit->setPlaceholderText(
            u"Filter events (kind, hook, handler, status, message; \"problems\")"_s);
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_eventFilter, &EventFilterModel::setFilterText);
    m_eventView = makeEventTable(m_eventFilter, this);
    m_eventView->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (m_selecting || !current.isValid())
                    return;
                const QModelIndex source = m_eventFilter->mapToSource(current);
                if (source.isValid())
                    selectEvent(source.row());
            });
    connect(m_eventFilter, &QAbstractItemModel::modelReset, this, [this] {
        // The filter changed: keep the selected event selected if it is still shown.
        if (const int row = m_timeline->selectedSpan() >= 0
                    ? m_timeline->spans().at(m_timeline->selectedSpan()).beginEvent
                    : -1;
            row >= 0) {
            const QModelIndex index = m_eventFilter->mapFromSource(m_eventModel->index(row, 0));
            if (index.isValid()) {
                const QScopedValueRollback guard(m_selecting, true);
                m_eventView->selectRow(index.row());
                m_eventView->scrollTo(index, QAbstractItemView::PositionAtCenter);
            }
        }
    });
    connect(m_timeline, &TimelineView::spanSelected, this,
            [this](int, int eventIndex) { selectEvent(eventIndex); });
    connect(m_timeline, &TimelineView::rangeSelected, this,
            [this] { m_details->setText(m_timeline->rangeDetails()); });
    auto *events = new QWidget(this);
    auto *eventsLayout = new QVBoxLayout(events);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->addWidget(m_filterEdit);
    eventsLayout->addWidget(m_eventView);
    m_details->setObjectName(u"details"_s);
    m_details->setTextFormat(Qt::RichText);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setMargin(4);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setText(u"Click a span or a row to see its details."_s);
    auto *trace = new QSplitter(Qt::Vertical, this);
    trace->addWidget(m_timeline);
    trace->addWidget(m_details);
    trace->addWidget(events);
    trace->setStretchFactor(0, 3);
    trace->setStretchFactor(1, 0);
    trace->setStretchFactor(2, 3);
    m_problemsView->setObjectName(u"problems"_s);
    m_problemsView->setModel(m_problemsModel);
    m_problemsView->setAlternatingRowColors(true);
    m_problemsView->setWordWrap(true);
    connect(m_problemsView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::problemActivated);
    connect(m_problemsView, &QListView::clicked, this, &MainWindow::problemActivated);
    auto *problems = new QWidget(this);
    auto *problemsLayout = new QVBoxLayout(problems);
    problemsLayout->setContentsMargins(0, 0, 0, 0);
    auto *problemsTitle = new QLabel(u"<b>Problems</b> (N: next)"_s, this);
    problemsLayout->addWidget(problemsTitle);
    problemsLayout->addWidget(m_problemsView);
    auto *closeView = new QSplitter(Qt::Horizontal, this);
    closeView->addWidget(problems);
    closeView->addWidget(trace);
    closeView->setStretchFactor(0, 1);
    closeView->setStretchFactor(1, 4);
    closeView->setSizes({300, 900});
    m_tabs->addTab(closeView, u"Cleanup trace"_s);

    m_logFilter->setSourceModel(m_eventModel);
    m_logFilter->setFilterKeyColumn(EventTableModel::Kind);
    m_logFilter->setFilterRegularExpression(u"^log$"_s);
    m_logView = makeEventTable(m_logFilter, this);

    m_pluginView = makeEventTable(m_pluginModel, this);
    m_pluginView->setObjectName(u"plugins"_s);
    m_pluginView->setSelectionMode(QAbstractItemView::SingleSelection);
    // A handful of rows, filled while the tab may be hidden (when resizeColumnsToContents()
    // sees too few of them): the header keeps every column as wide as its contents.
    m_pluginView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_pluginView->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(m_pluginView, u"Plugins"_s);
    m_tabs->addTab(m_logView, u"Log"_s);

    // Statistics: computed when first looked at (a million events need not pay for it before).
    m_statisticsModel = new StatisticsModel(this);
    m_statisticsSort = new QSortFilterProxyModel(this);
    m_statisticsSort->setSourceModel(m_statisticsModel);
    m_statisticsSort->setSortRole(StatisticsModel::SortRole);
    m_statisticsPage = new QWidget(this);
    auto *statisticsLayout = new QVBoxLayout(m_statisticsPage);
    statisticsLayout->setContentsMargins(0, 0, 0, 0);
    auto *grouping = new QComboBox(m_statisticsPage);
    grouping->setObjectName(u"grouping"_s);
    grouping->addItems({u"per handler"_s, u"per plugin"_s});
    connect(grouping, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_statisticsModel->setGrouping(index == 1 ? StatisticsModel::Grouping::Plugin
                                                  : StatisticsModel::Grouping::Handler);
        m_statisticsView->resizeColumnsToContents();
    });
    statisticsLayout->addWidget(grouping);
    m_statisticsView = makeEventTable(m_statisticsSort, m_statisticsPage);
    m_statisticsView->setObjectName(u"statistics"_s);
    m_statisticsView->setSortingEnabled(true);
    m_statisticsView->sortByColumn(StatisticsModel::Total, Qt::DescendingOrder);
    statisticsLayout->addWidget(m_statisticsView);
    m_tabs->addTab(m_statisticsPage, u"Statistics"_s);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_statisticsPage)
            showStatistics();
    });

    // The verdict above every tab: what happened, in one line.
    m_verdict->setObjectName(u"verdict"_s);
    m_verdict->setWordWrap(true);
    m_verdict->setMargin(6);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->hide();
    auto *inspected = new QWidget(this);
    auto *inspectedLayout = new QVBoxLayout(inspected);
    inspectedLayout->setContentsMargins(0, 0, 0, 0);
    inspectedLayout->setSpacing(0);
    inspectedLayout->addWidget(m_verdict);
    inspectedLayout->addWidget(m_tabs);

    // The list of running apps, when there is one, is page 0; what is inspected is the tabs.
    m_stack->addWidget(inspected);
    setCentralWidget(m_stack);
    statusBar()->addWidget(m_status, 1);

    QMenu *file = menuBar()->addMenu(u"&File"_s);
    file->addAction(u"&Open trace…"_s, QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
                this, u"Open a Mortar trace"_s, {}, u"Mortar traces (*.jsonl);;All files (*)"_s);
        if (path.isEmpty())
            return;
        openTraceFileInBackground(path);
    });
    connect(this, &MainWindow::traceOpened, this, [this](const Result &opened) {
        if (!opened && !property("unattended").toBool())
            QMessageBox::warning(this, u"Mortar Inspector"_s, opened.errorString());
    });
    file->addAction(u"&Attach to a running app…"_s, this, [] {
        auto *window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->showRunningApps();
        window->show();
    });
    file->addAction(u"&Compare with…"_s, this, [this] {
        const QString path =
                QFileDialog::getOpenFileName(this, u"Compare with an earlier trace (the base)"_s,
                                             {}, u"Mortar traces (*.jsonl);;All files (*)"_s);
        if (path.isEmpty())
            return;
        if (const Result compared = compareWith(path); !compared)
            QMessageBox::warning(this, u"Mortar Inspector"_s, compared.errorString());
    });
    file->addSeparator();
    m_requestClose = file->addAction(u"&Request close"_s, this, &MainWindow::requestClose);
    m_requestClose->setToolTip(u"Ask the app to quit, as a SIGTERM would (SPEC 4.7)"_s);
    m_requestClose->setEnabled(false);
    connectSession();
    file->addSeparator();
    file->addAction(u"&Save trace…"_s, QKeySequence::Save, this, &MainWindow::saveTraceAs);
    file->addAction(u"&Export Chrome trace…"_s, this, &MainWindow::exportChromeTraceAs);
    file->addSeparator();
    file->addAction(u"&Quit"_s, QKeySequence::Quit, this, &QWidget::close);
    QMenu *view = menuBar()->addMenu(u"&View"_s);
    view->addAction(u"&Next problem"_s, QKeySequence(Qt::Key_N), this, &MainWindow::nextProblem);
    view->addAction(u"Show the &close"_s, QKeySequence(Qt::CTRL | Qt::Key_1), m_timeline,
                    &TimelineView::showClose);
    view->addAction(u"Show &everything"_s, QKeySequence(Qt::CTRL | Qt::Key_0), m_timeline,
                    &TimelineView::fit);
    resize(1100, 700);
}

void MainWindow::launch(const QString &program, const QStringList &arguments)
{
    m_source = u"live"_s;
    setWindowTitle(u"%1 — Mortar Inspector"_s.arg(program));
    m_session->launch(program, arguments);
}

void MainWindow::showRunningApps()
{
    if (!m_runningApps) {
        m_runningApps = new RunningAppsPage(this);
        m_stack->insertWidget(0, m_runningApps);
        connect(m_runningApps, &RunningAppsPage::attachRequested, this,
                [this](const RunningApp &app) {
                    if (const Result attached = attach(app); !attached)
                        QMessageBox::warning(this, u"Mortar Inspector"_s, attached.errorString());
                });
    }
    m_stack->setCurrentWidget(m_runningApps);
    setWindowTitle(u"Running Mortar apps — Mortar Inspector"_s);
    m_status->setText(u"Running Mortar apps of this user, read again every second"_s);
}

Result MainWindow::attach(const RunningApp &app)
{
    if (const Result attached = m_session->attach(app); !attached)
        return attached;
    m_source = u"attached"_s;
    m_label = app.label;
    m_pid = app.pid;
    if (m_runningApps)
        m_runningApps->setEnabled(false); // and stops polling the directory
    m_stack->setCurrentWidget(m_tabs->parentWidget());
    setWindowTitle(u"%1 (pid %2) — Mortar Inspector"_s.arg(app.label).arg(app.pid));
    return Result::success();
}

void MainWindow::connectSession()
{
    connect(m_session, &InspectionSession::progress, m_status, &QLabel::setText);
    connect(m_session, &InspectionSession::helloReceived, this, [this] {
        m_label = m_session->label();
        m_pid = m_session->pid();
        m_requestClose->setEnabled(true);
        m_status->setText(statusText());
    });
    connect(m_session, &InspectionSession::snapshotReceived, m_hookModel,
            &HookTreeModel::setSnapshot);
    connect(m_session, &InspectionSession::snapshotReceived, m_pluginModel,
            &PluginModel::setSnapshot);
    connect(m_session, &InspectionSession::eventsReceived, this, &MainWindow::appendLive);
    connect(m_session, &InspectionSession::disconnected, this, [this] {
        m_requestClose->setEnabled(false);
        m_status->setText(statusText());
    });
    connect(m_session, &InspectionSession::ended, this, &MainWindow::finishLive);
}

void MainWindow::appendLive(const QList<TraceEvent> &events)
{
    m_eventModel->appendEvents(events); // the one list: nothing else holds (and copies) it
    m_hookModel->appendEvents(events);
    m_pluginModel->appendEvents(events);
    expandHooks();
    // The timeline, the status bar (a pass over every event) and the columns: at most every
    // 100 ms while events pour in.
    if (!m_timelinePending) {
        m_timelinePending = true;
        QTimer::singleShot(100, this, [this] {
            m_timelinePending = false;
            m_timeline->setEvents(this->events());
            m_status->setText(statusText());
            m_eventView->resizeColumnsToContents();
            fitNumberColumns();
        });
    }
}

void MainWindow::finishLive()
{
    m_finished = true;
    m_hookModel->markUnfinished();
    m_statisticsStale = true;
    m_pluginModel->markUnfinished();
    m_timeline->setEvents(events());
    for (int column = 0; column < m_hookModel->columnCount(); ++column)
        m_hookView->resizeColumnToContents(column);
    m_eventView->resizeColumnsToContents();
    fitNumberColumns();
    m_tabs->setCurrentIndex(1);
    showVerdict();
    showTheClose();
    m_status->setText(statusText());
    Q_EMIT appEnded(m_session->isLaunched() ? m_session->processExitCode() : exitCodeInTrace());
}

void MainWindow::showTheClose()
{
    // The first problem (a failure before a timeout before a hang, then the slowest), else
    // where the close began: what a developer looks for first.
    if (m_problemsModel->rowCount() > 0) {
        m_problemsView->setCurrentIndex(m_problemsModel->index(0, 0));
        problemActivated(m_problemsModel->index(0, 0));
        return;
    }
    for (int i = 0; i < events().size(); ++i) {
        if (events().at(i).kind == u"close.begin"_s) {
            selectEvent(i);
            return;
        }
    }
}

void MainWindow::fitNumberColumns()
{
    // resizeColumnsToContents() measures the rows in view, the first ones: the last event has
    // the widest seq and t.
    const int last = m_eventModel->rowCount() - 1;
    if (last < 0)
        return;
    const QFontMetrics metrics = m_eventView->fontMetrics();
    for (const int column : {int(EventTableModel::Seq), int(EventTableModel::Time)}) {
        const QString widest = m_eventModel->index(last, column).data().toString();
        m_eventView->setColumnWidth(
                column,
                std::max(m_eventView->columnWidth(column), metrics.horizontalAdvance(widest) + 16));
    }
}

void MainWindow::expandHooks()
{
    // A hook of half a million handlers stays folded: laying them all out costs seconds and
    // tens of megabytes, and one click opens it.
    constexpr int MaxExpanded = 20000;
    for (int row = 0; row < m_hookModel->rowCount(); ++row) {
        const QModelIndex hook = m_hookModel->index(row, 0);
        if (!m_hookView->isExpanded(hook) && m_hookModel->rowCount(hook) <= MaxExpanded)
            m_hookView->expand(hook);
    }
}

void MainWindow::showVerdict()
{
    const CloseSummary summary = CloseSummary::of(events());
    m_problemsModel->setSummary(summary);
    const bool bad = std::any_of(summary.rows.cbegin(), summary.rows.cend(),
                                 [](const CloseSummary::Row &row) { return row.isProblem(); })
            || summary.ending == u"process.killed"_s || summary.ending == u"process.crashed"_s;
    m_verdict->setText(summary.verdict());
    m_verdict->setStyleSheet(bad ? u"QLabel { background: #fde0dc; color: #b71c1c; font-weight: "
                                   u"bold; font-size: 110%; }"_s
                                 : u"QLabel { background: #e8f5e9; color: #1b5e20; font-weight: "
                                   u"bold; font-size: 110%; }"_s);
    m_verdict->show();
}

QString MainWindow::verdictText() const
{
    return m_verdict->isVisible() || !m_verdict->text().isEmpty() ? m_verdict->text() : QString();
}

QString MainWindow::detailsText() const
{
    return m_details->text();
}

int MainWindow::rowOfSeq(qint64 seq) const
{
    // Events are in seq order (with gaps where the in-memory trace dropped some).
    const auto it = std::lower_bound(events().cbegin(), events().cend(), seq,
                                     [](const TraceEvent &e, qint64 s) { return e.seq < s; });
    return it != events().cend() && it->seq == seq ? int(it - events().cbegin()) : -1;
}

void MainWindow::problemActivated(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    int row = rowOfSeq(index.data(ProblemsModel::BeginSeqRole).toLongLong());
    if (row < 0)
        return;
    // A timeout is its asynchronous part's: select the deferral's end, which is that span's.
    if (index.data(ProblemsModel::KindRole).toInt() == CloseSummary::Problem::TimedOut) {
        const QString hook = index.data(ProblemsModel::HookRole).toString();
        const QString handler = index.data(ProblemsModel::HandlerRole).toString();
        for (int i = row + 1; i < events().size(); ++i) {
            const TraceEvent &event = events().at(i);
            if (event.kind == u"deferral.end"_s && event.hook == hook && event.handler == handler) {
                row = i;
                break;
            }
        }
    }
    selectEvent(row);
}

Result MainWindow::compareWith(const QString &basePath, double thresholdPercent)
{
    TraceFile base;
    if (const Result loaded = base.load(basePath); !loaded)
        return loaded;
    CloseCompare compare = CloseCompare::of(CloseSummary::of(base.events()),
                                            CloseSummary::of(events()), thresholdPercent);
    if (!m_comparePage) {
        m_compareModel = new CompareModel(this);
        m_comparePage = new QWidget(this);
        m_comparePage->setObjectName(u"compare"_s);
        auto *layout = new QVBoxLayout(m_comparePage);
        layout->setContentsMargins(0, 0, 0, 0);
        m_compareVerdict = new QLabel(m_comparePage);
        m_compareVerdict->setWordWrap(true);
        m_compareVerdict->setMargin(6);
        m_compareVerdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(m_compareVerdict);
        QTableView *table = makeEventTable(m_compareModel, m_comparePage);
        table->setObjectName(u"compareTable"_s);
        layout->addWidget(table);
        m_tabs->addTab(m_comparePage, u"Compare"_s);
    }
    const qsizetype regressions = compare.regressionCount();
    m_compareModel->setCompare(std::move(compare));
    const CloseCompare &shown = m_compareModel->compare();
    QString text = u"<b>%1</b> (threshold %2 %, at least 1 ms)<br>base %3: %4<br>new: %5"_s.arg(
            regressions == 0           ? u"No regression"_s
                    : regressions == 1 ? u"Regressed: 1 handler"_s
                                       : u"Regressed: %1 handlers"_s.arg(regressions),
            QString::number(thresholdPercent), QFileInfo(basePath).fileName().toHtmlEscaped(),
            shown.base.verdict().toHtmlEscaped(), shown.current.verdict().toHtmlEscaped());
    if (shown.base.closeDurationNs && shown.current.closeDurationNs)
        text += u"<br>the close took %1 → %2"_s.arg(formatDuration(*shown.base.closeDurationNs),
                                                    formatDuration(*shown.current.closeDurationNs));
    m_compareVerdict->setText(text);
    m_compareVerdict->setStyleSheet(regressions ? u"QLabel { background: #fde0dc; }"_s
                                                : u"QLabel { background: #e8f5e9; }"_s);
    if (QTableView *table = m_comparePage->findChild<QTableView *>(u"compareTable"_s))
        table->resizeColumnsToContents();
    m_tabs->setCurrentWidget(m_comparePage);
    return Result::success();
}

QString MainWindow::compareVerdict() const
{
    return m_compareVerdict ? m_compareVerdict->text() : QString();
}

void MainWindow::showStatistics()
{
    if (m_statisticsStale) {
        m_statisticsStale = false;
        m_statisticsModel->setEvents(events());
        m_statisticsView->resizeColumnsToContents();
    }
    if (m_tabs->currentWidget() != m_statisticsPage)
        m_tabs->setCurrentWidget(m_statisticsPage);
}

void MainWindow::requestClose()
{
    if (!m_session->isConnected() || m_finished)
        return;
    m_session->requestClose();
    m_requestClose->setEnabled(false); // once: the app is closing
    statusBar()->showMessage(u"Asked %1 to close"_s.arg(m_label), 5000);
}

void MainWindow::nextProblem()
{
    const int count = m_problemsModel->rowCount();
    if (count == 0)
        return;
    const int current = m_problemsView->currentIndex().row();
    const QModelIndex next = m_problemsModel->index((current + 1) % count, 0);
    m_problemsView->setCurrentIndex(next);
    problemActivated(next);
}

int MainWindow::selectedEventRow() const
{
    const QModelIndex current = m_eventView->currentIndex();
    return current.isValid() ? m_eventFilter->mapToSource(current).row() : -1;
}

void MainWindow::selectEvent(int row)
{
    if (m_selecting || row < 0 || row >= m_eventModel->rowCount())
        return;
    const QScopedValueRollback guard(m_selecting, true);
    if (m_timeline->selectEvent(row))
        m_details->setText(m_timeline->details(m_timeline->selectedSpan()));
    else
        m_details->setText(u"<b>%1</b> at t = %2<br>%3"_s.arg(
                events().at(row).kind, formatDuration(events().at(row).t),
                QString::fromUtf8(events().at(row).toJsonLine()).trimmed().toHtmlEscaped()));
    const QModelIndex index = m_eventFilter->mapFromSource(m_eventModel->index(row, 0));
    if (index.isValid()) {
        m_eventView->selectRow(index.row());
        m_eventView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    }
}

Result MainWindow::openTraceFile(const QString &path)
{
    m_source = u"from a trace file"_s;
    TraceFile trace;
    if (const Result loaded = trace.load(path); !loaded)
        return loaded;
    showTraceFile(path, trace);
    return Result::success();
}

void MainWindow::showTraceFile(const QString &path, const TraceFile &trace)
{
    m_fileHeader = trace.header();
    showEvents(trace.label(), trace.pid(), trace.events());
    m_stack->setCurrentWidget(m_tabs->parentWidget());
    setWindowTitle(u"%1 — Mortar Inspector"_s.arg(path));
}

void MainWindow::openTraceFileInBackground(const QString &path)
{
    m_source = u"from a trace file"_s;
    m_loading = true;
    auto *bar = new QProgressBar(this);
    bar->setObjectName(u"loading"_s);
    bar->setRange(0, 1000);
    bar->setFormat(u"reading %1 … %p%"_s.arg(QFileInfo(path).fileName()));
    bar->setMaximumWidth(320);
    statusBar()->addPermanentWidget(bar);
    const qint64 size = std::max<qint64>(QFileInfo(path).size(), 1);
    auto progress = std::make_shared<std::atomic<qint64>>(0);
    auto *poll = new QTimer(bar);
    connect(poll, &QTimer::timeout, bar, [bar, progress, size] {
        bar->setValue(int(progress->load(std::memory_order_relaxed) * 1000 / size));
    });
    poll->start(50);
    // The file is read in a worker; the views are built here, in the window's thread, which
    // their models belong to.
    struct Loaded
    {
        std::shared_ptr<TraceFile> trace;
        QString error;
    };
    auto *watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, bar, path] {
        const Loaded loaded = watcher->result();
        watcher->deleteLater();
        if (loaded.error.isEmpty())
            showTraceFile(path, *loaded.trace);
        m_loading = false;
        statusBar()->removeWidget(bar); // now: a screenshot taken next must not have it
        bar->deleteLater();
        Q_EMIT traceOpened(loaded.error.isEmpty() ? Result::success()
                                                  : Result::failure(loaded.error));
    });
    watcher->setFuture(QtConcurrent::run([path, progress] {
        Loaded loaded{std::make_shared<TraceFile>(), {}};
        if (const Result result = loaded.trace->load(path, progress.get()); !result)
            loaded.error = result.errorString();
        return loaded;
    }));
}

void MainWindow::showEvents(const QString &label, qint64 pid, const QList<TraceEvent> &trace)
{
    m_label = label;
    m_pid = pid;
    // The event model holds the one list of events; every view reads it.
    m_eventModel->clear();
    m_eventModel->appendEvents(trace);
    // The verdict first: its rows of the close are dropped before the views build their own.
    showVerdict();
    m_statisticsStale = true;
    m_hookModel->appendEvents(m_eventModel->events());
    m_hookModel->markUnfinished(); // a file: what is still running never finished
    m_pluginModel->clear();
    m_pluginModel->appendEvents(events());
    m_pluginModel->markUnfinished();
    expandHooks();
    for (int column = 0; column < m_hookModel->columnCount(); ++column)
        m_hookView->resizeColumnToContents(column);
    m_timeline->setEvents(events());
    m_eventView->resizeColumnsToContents();
    fitNumberColumns();
    m_logView->resizeColumnsToContents();
    m_status->setText(statusText());
    // What a developer opens a trace for is the close.
    m_tabs->setCurrentIndex(1);
    showTheClose();
}

const QList<TraceEvent> &MainWindow::events() const
{
    return m_eventModel->events();
}

QString MainWindow::statusText() const
{
    QString state = u"unknown"_s;
    for (auto it = events().crbegin(); it != events().crend(); ++it) {
        if (it->kind == u"state"_s) {
            state = it->extra.value(u"state"_s).toString();
            break;
        }
    }
    // How the close began and ended: one pass over the events, without the handler rows.
    const CloseSummary close = CloseSummary::closeOf(events());
    // A forced end records no state after Closing: the process's own end is its last state.
    if (close.ending == u"process.killed"_s)
        state = u"killed"_s;
    else if (close.ending == u"process.crashed"_s)
        state = u"crashed"_s;
    const QString exitCode = close.exitCode ? QString::number(*close.exitCode) : u"—"_s;
    const QString closeDuration =
            close.closeDurationNs ? formatDuration(*close.closeDurationNs) : u"—"_s;
    // "live" while it is; once the app has gone, the window shows a finished trace.
    const bool followed = m_source != u"from a trace file"_s;
    QString text = u"app %1   pid %2   state %3   exit code %4   close took %5   (%6)"_s.arg(
            m_label, QString::number(m_pid), state, exitCode, closeDuration,
            m_finished && followed
                    ? (m_source == u"live"_s ? u"launched, ended"_s : m_source + u", ended"_s)
                    : m_source);
    if (m_session->isLaunched())
        text += m_finished ? u"   the app exited with %1"_s.arg(m_session->processExitCode())
                           : u"   running"_s;
    else if (m_session->isFollowing())
        text += m_session->isDisconnected() ? u"   disconnected"_s
                : m_session->isConnected()  ? u"   connected"_s
                                            : u"   connecting"_s;
    if (!m_session->disconnectReason().isEmpty())
        text += u"   (%1)"_s.arg(m_session->disconnectReason());
    if (!close.trigger.isEmpty())
        text += u"   closed by %1, %2"_s.arg(close.trigger, close.endingText());
    return text;
}

int MainWindow::exitCodeInTrace() const
{
    // The process's own end (forced exits) is the last word; else the close's.
    std::optional<int> code;
    for (const TraceEvent &event : events()) {
        if ((event.kind == u"close.end"_s || event.kind.startsWith(u"process."_s)) && event.code)
            code = event.code;
    }
    return code.value_or(-1);
}

Result MainWindow::saveTrace(const QString &path) const
{
    return TraceFile::save(
            path, m_fileHeader.isEmpty() ? TraceFile::header(m_label, m_pid) : m_fileHeader,
            events());
}

Result MainWindow::exportChromeTrace(const QString &path) const
{
    return Mortar::writeChromeTrace(path, events(), m_pid, m_label);
}

void MainWindow::saveTraceAs()
{
    const QString suggested =
            m_label.isEmpty() ? QString() : u"%1-%2.jsonl"_s.arg(m_label).arg(m_pid);
    const QString path = QFileDialog::getSaveFileName(this, u"Save the trace"_s, suggested,
                                                      u"Mortar traces (*.jsonl)"_s);
    if (path.isEmpty())
        return;
    if (const Result saved = saveTrace(path); !saved)
        QMessageBox::warning(this, u"Mortar Inspector"_s, saved.errorString());
    else
        statusBar()->showMessage(u"Saved %1 events to %2"_s.arg(events().size()).arg(path), 5000);
}

void MainWindow::exportChromeTraceAs()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Export a Chrome trace"_s, {},
                                                      u"Chrome trace (*.json)"_s);
    if (path.isEmpty())
        return;
    if (const Result exported = exportChromeTrace(path); !exported)
        QMessageBox::warning(this, u"Mortar Inspector"_s, exported.errorString());
}

} // namespace Mortar::Inspector
