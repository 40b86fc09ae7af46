// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "eventtablemodel.h"
#include "hooktreemodel.h"
#include "timelineview.h"
#include "tracefile.h"

#include <mortar/tracespans.h>

#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
QTableView *makeEventTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    return view;
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_tabs(new QTabWidget(this)),
      m_hookModel(new HookTreeModel(this)),
      m_hookView(new QTreeView(this)),
      m_timeline(new TimelineView(this)),
      m_eventModel(new EventTableModel(this)),
      m_eventFilter(new QSortFilterProxyModel(this)),
      m_filterEdit(new QLineEdit(this)),
      m_logFilter(new QSortFilterProxyModel(this)),
      m_status(new QLabel(this))
{
    setWindowTitle(u"Mortar Inspector"_s);

    m_hookView->setModel(m_hookModel);
    m_hookView->setUniformRowHeights(true);
    m_hookView->setAlternatingRowColors(true);
    m_tabs->addTab(m_hookView, u"Hooks"_s);

    // Cleanup trace: the timeline above, every event below, filtered by what is typed.
    m_eventFilter->setSourceModel(m_eventModel);
    m_eventFilter->setFilterKeyColumn(-1);
    m_eventFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filterEdit->setPlaceholderText(u"Filter events (kind, hook, handler, status, message)"_s);
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_eventFilter,
            &QSortFilterProxyModel::setFilterFixedString);
    m_eventView = makeEventTable(m_eventFilter, this);
    auto *events = new QWidget(this);
    auto *eventsLayout = new QVBoxLayout(events);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->addWidget(m_filterEdit);
    eventsLayout->addWidget(m_eventView);
    auto *trace = new QSplitter(Qt::Vertical, this);
    trace->addWidget(m_timeline);
    trace->addWidget(events);
    trace->setStretchFactor(0, 2);
    trace->setStretchFactor(1, 3);
    m_tabs->addTab(trace, u"Cleanup trace"_s);

    m_logFilter->setSourceModel(m_eventModel);
    m_logFilter->setFilterKeyColumn(EventTableModel::Kind);
    m_logFilter->setFilterRegularExpression(u"^log$"_s);
    m_logView = makeEventTable(m_logFilter, this);
    m_tabs->addTab(m_logView, u"Log"_s);

    setCentralWidget(m_tabs);
    statusBar()->addWidget(m_status, 1);

    QMenu *file = menuBar()->addMenu(u"&File"_s);
    file->addAction(u"&Open trace…"_s, QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
                this, u"Open a Mortar trace"_s, {}, u"Mortar traces (*.jsonl);;All files (*)"_s);
        if (path.isEmpty())
            return;
        if (const Result opened = openTraceFile(path); !opened)
            QMessageBox::warning(this, u"Mortar Inspector"_s, opened.errorString());
    });
    file->addAction(u"&Export Chrome trace…"_s, this, &MainWindow::exportChromeTrace);
    file->addSeparator();
    file->addAction(u"&Quit"_s, QKeySequence::Quit, this, &QWidget::close);
    resize(1100, 700);
}

Result MainWindow::openTraceFile(const QString &path)
{
    TraceFile trace;
    if (const Result loaded = trace.load(path); !loaded)
        return loaded;
    showEvents(trace.label(), trace.pid(), trace.events());
    setWindowTitle(u"%1 — Mortar Inspector"_s.arg(path));
    return Result::success();
}

void MainWindow::showEvents(const QString &label, qint64 pid, const QList<TraceEvent> &events)
{
    m_label = label;
    m_pid = pid;
    m_events = events;
    m_eventModel->clear();
    m_eventModel->appendEvents(events);
    m_hookModel->appendEvents(events);
    m_hookView->expandAll();
    for (int column = 0; column < m_hookModel->columnCount(); ++column)
        m_hookView->resizeColumnToContents(column);
    m_timeline->setEvents(events);
    m_eventView->resizeColumnsToContents();
    m_logView->resizeColumnsToContents();
    m_status->setText(statusText());
    // What a developer opens a trace for is the close.
    m_tabs->setCurrentIndex(1);
}

QString MainWindow::statusText() const
{
    QString state = u"unknown"_s;
    QString exitCode = u"—"_s;
    QString closeDuration = u"—"_s;
    QString ending;
    for (const TraceEvent &event : m_events) {
        if (event.kind == u"state"_s)
            state = event.extra.value(u"state"_s).toString();
        else if (event.kind == u"close.end"_s && event.code)
            exitCode = QString::number(*event.code);
        if (event.kind == u"close.end"_s && event.durationNs)
            closeDuration = u"%1 ms"_s.arg(double(*event.durationNs) / 1e6, 0, 'f', 3);
        if (event.kind.startsWith(u"process."_s)) {
            ending = event.kind;
            if (event.code)
                exitCode = QString::number(*event.code);
        }
    }
    QString text =
            u"app %1   pid %2   state %3   exit code %4   close took %5   (from a trace file)"_s
                    .arg(m_label, QString::number(m_pid), state, exitCode, closeDuration);
    if (!ending.isEmpty())
        text += u"   ended by %1"_s.arg(ending);
    return text;
}

void MainWindow::exportChromeTrace()
{
    const QString path = QFileDialog::getSaveFileName(this, u"Export a Chrome trace"_s, {},
                                                      u"Chrome trace (*.json)"_s);
    if (path.isEmpty())
        return;
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)
        || out.write(chromeTrace(m_events, m_pid, m_label).toJson(QJsonDocument::Compact)) < 0
        || !out.commit()) {
        QMessageBox::warning(this, u"Mortar Inspector"_s,
                             u"Unable to write %1: %2"_s.arg(path, out.errorString()));
    }
}

} // namespace Mortar::Inspector
