// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "eventtablemodel.h"
#include "hooktreemodel.h"
#include "inspectorclient.h"
#include "pluginmodel.h"
#include "runningappspage.h"
#include "timelineview.h"
#include "tracefile.h"

#include <mortar/tracespans.h>

#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QRandomGenerator>
#include <QSaveFile>
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
      m_stack(new QStackedWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_hookModel(new HookTreeModel(this)),
      m_hookView(new QTreeView(this)),
      m_timeline(new TimelineView(this)),
      m_eventModel(new EventTableModel(this)),
      m_eventFilter(new QSortFilterProxyModel(this)),
      m_filterEdit(new QLineEdit(this)),
      m_logFilter(new QSortFilterProxyModel(this)),
      m_pluginModel(new PluginModel(this)),
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

    m_pluginView = makeEventTable(m_pluginModel, this);
    m_pluginView->setObjectName(u"plugins"_s);
    m_pluginView->setSelectionMode(QAbstractItemView::SingleSelection);
    // A handful of rows, filled while the tab may be hidden (when resizeColumnsToContents()
    // sees too few of them): the header keeps every column as wide as its contents.
    m_pluginView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_pluginView->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(m_pluginView, u"Plugins"_s);
    m_tabs->addTab(m_logView, u"Log"_s);

    // The list of running apps, when there is one, is page 0; what is inspected is the tabs.
    m_stack->addWidget(m_tabs);
    setCentralWidget(m_stack);
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
    file->addAction(u"&Attach to a running app…"_s, this, [] {
        auto *window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->showRunningApps();
        window->show();
    });
    file->addSeparator();
    file->addAction(u"&Save trace…"_s, QKeySequence::Save, this, &MainWindow::saveTraceAs);
    file->addAction(u"&Export Chrome trace…"_s, this, &MainWindow::exportChromeTraceAs);
    file->addSeparator();
    file->addAction(u"&Quit"_s, QKeySequence::Quit, this, &QWidget::close);
    resize(1100, 700);
}

void MainWindow::launch(const QString &program, const QStringList &arguments)
{
    m_source = u"live"_s;
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / 4);
    const QString token = QString::fromLatin1(random.toHex());

    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::ForwardedChannels);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"MORTAR_INSPECT"_s, u"1"_s);
    environment.insert(u"MORTAR_INSPECT_TOKEN"_s, token); // no token file: we hand it over
    m_process->setProcessEnvironment(environment);
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus status) {
                m_appExitCode = status == QProcess::NormalExit ? exitCode : -1;
                m_appEnded = true;
                finishLive();
            });
    connect(m_process, &QProcess::errorOccurred, this,
            [this, program](QProcess::ProcessError error) {
                if (error == QProcess::FailedToStart) {
                    m_status->setText(
                            u"Unable to start %1: %2"_s.arg(program, m_process->errorString()));
                    m_appEnded = m_disconnected = true;
                    finishLive();
                }
            });
    m_process->start(program, arguments);
    setWindowTitle(u"%1 — Mortar Inspector"_s.arg(program));
    m_status->setText(u"starting %1 …"_s.arg(program));

    // The app listens on <runtime dir>/mortar/<label>-<pid>; its label is not known yet.
    auto *poll = new QTimer(this);
    poll->setInterval(20);
    connect(poll, &QTimer::timeout, this, [this, poll, token] {
        const QString directory =
                QDir(QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation))
                        .filePath(u"mortar"_s);
        const QStringList sockets = QDir(directory).entryList(
                {u"*-%1"_s.arg(m_process->processId())}, QDir::System | QDir::Files);
        if (!sockets.isEmpty()) {
            poll->deleteLater();
            follow(QDir(directory).filePath(sockets.first()), token);
        } else if (m_appEnded) {
            poll->deleteLater(); // it ended before it listened
            m_disconnected = true;
            finishLive();
        }
    });
    poll->start();
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
    if (m_client || m_process)
        return Result::failure(u"This window already follows an app; use File → Attach to a "
                               u"running app… for another"_s);
    const QString token = InspectorClient::readToken(app.socketPath);
    if (token.isEmpty()) {
        return Result::failure(
                app.hasTokenFile
                        ? u"Unable to attach to %1 (pid %2): its token file %3.token cannot "
                          u"be read"_s.arg(app.label)
                                  .arg(app.pid)
                                  .arg(app.socketPath)
                        : u"Unable to attach to %1 (pid %2): it was started by another "
                          u"inspector (mortar-inspector --launch), which alone has its token"_s
                                  .arg(app.label)
                                  .arg(app.pid));
    }
    m_source = u"attached"_s;
    m_label = app.label;
    m_pid = app.pid;
    m_appEnded = true; // not our child: its end is the connection's
    if (m_runningApps)
        m_runningApps->setEnabled(false); // and stops polling the directory
    m_stack->setCurrentWidget(m_tabs);
    setWindowTitle(u"%1 (pid %2) — Mortar Inspector"_s.arg(app.label).arg(app.pid));
    m_status->setText(u"attaching to %1 …"_s.arg(app.socketPath));
    follow(app.socketPath, token);
    return Result::success();
}

void MainWindow::follow(const QString &socketPath, const QString &token)
{
    m_client = new InspectorClient(this);
    connect(m_client, &InspectorClient::helloReceived, this, [this](const QCborMap &hello) {
        m_label = hello.value(u"label"_s).toString();
        m_pid = hello.value(u"pid"_s).toInteger();
        m_status->setText(statusText());
    });
    connect(m_client, &InspectorClient::snapshotReceived, m_hookModel, &HookTreeModel::setSnapshot);
    connect(m_client, &InspectorClient::snapshotReceived, m_pluginModel, &PluginModel::setSnapshot);
    connect(m_client, &InspectorClient::eventsReceived, this, &MainWindow::appendLive);
    connect(m_client, &InspectorClient::disconnected, this, [this](const QString &reason) {
        m_disconnectReason = reason;
        m_disconnected = true;
        m_status->setText(statusText());
        finishLive();
    });
    m_client->connectTo(socketPath, token);
}

void MainWindow::appendLive(const QList<TraceEvent> &events)
{
    m_events.append(events);
    m_eventModel->appendEvents(events);
    m_hookModel->appendEvents(events);
    m_pluginModel->appendEvents(events);
    m_hookView->expandAll();
    m_status->setText(statusText());
    // The timeline is redrawn from all spans: at most every 100 ms while events pour in.
    if (!m_timelinePending) {
        m_timelinePending = true;
        QTimer::singleShot(100, this, [this] {
            m_timelinePending = false;
            m_timeline->setEvents(m_events);
        });
    }
}

void MainWindow::finishLive()
{
    // Both the process's end and the socket's: only then is the trace complete.
    if (m_finished || !m_appEnded || !m_disconnected)
        return;
    m_finished = true;
    m_timeline->setEvents(m_events);
    for (int column = 0; column < m_hookModel->columnCount(); ++column)
        m_hookView->resizeColumnToContents(column);
    m_eventView->resizeColumnsToContents();
    m_tabs->setCurrentIndex(1);
    showTheClose();
    m_status->setText(statusText());
    Q_EMIT appEnded(m_process ? m_appExitCode : exitCodeInTrace());
}

void MainWindow::showTheClose()
{
    // The first handler of the close that failed or timed out, else where the close began: the
    // row a developer looks for first, at the top of the event table.
    qsizetype row = -1;
    for (qsizetype i = 0; i < m_events.size(); ++i) {
        const TraceEvent &event = m_events.at(i);
        const bool problem = event.status == u"failed"_s || event.status == u"timedOut"_s;
        if (problem && (event.kind == u"handler.end"_s || event.kind == u"deferral.end"_s)
            && (event.hook == u"pre_close"_s || event.hook == u"post_close"_s)) {
            row = i;
            break;
        }
        if (row < 0 && event.kind == u"close.begin"_s)
            row = i;
    }
    if (row < 0 || row >= m_eventModel->rowCount())
        return;
    const QModelIndex index = m_eventFilter->mapFromSource(m_eventModel->index(int(row), 0));
    if (!index.isValid())
        return;
    m_eventView->selectRow(index.row());
    m_eventView->scrollTo(index, QAbstractItemView::PositionAtTop);
}

Result MainWindow::openTraceFile(const QString &path)
{
    m_source = u"from a trace file"_s;
    TraceFile trace;
    if (const Result loaded = trace.load(path); !loaded)
        return loaded;
    m_fileHeader = trace.header();
    showEvents(trace.label(), trace.pid(), trace.events());
    m_stack->setCurrentWidget(m_tabs);
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
    m_pluginModel->clear();
    m_pluginModel->appendEvents(events);
    m_hookView->expandAll();
    for (int column = 0; column < m_hookModel->columnCount(); ++column)
        m_hookView->resizeColumnToContents(column);
    m_timeline->setEvents(events);
    m_eventView->resizeColumnsToContents();
    m_logView->resizeColumnsToContents();
    m_status->setText(statusText());
    // What a developer opens a trace for is the close.
    m_tabs->setCurrentIndex(1);
    showTheClose();
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
    QString text = u"app %1   pid %2   state %3   exit code %4   close took %5   (%6)"_s.arg(
            m_label, QString::number(m_pid), state, exitCode, closeDuration, m_source);
    if (m_process)
        text += m_finished ? u"   the app exited with %1"_s.arg(m_appExitCode) : u"   running"_s;
    else if (m_client)
        text += m_disconnected            ? u"   disconnected"_s
                : m_client->isConnected() ? u"   connected"_s
                                          : u"   connecting"_s;
    if (!m_disconnectReason.isEmpty())
        text += u"   (%1)"_s.arg(m_disconnectReason);
    if (!ending.isEmpty())
        text += u"   ended by %1"_s.arg(ending);
    return text;
}

int MainWindow::exitCodeInTrace() const
{
    // The process's own end (forced exits) is the last word; else the close's.
    std::optional<int> code;
    for (const TraceEvent &event : m_events) {
        if ((event.kind == u"close.end"_s || event.kind.startsWith(u"process."_s)) && event.code)
            code = event.code;
    }
    return code.value_or(-1);
}

Result MainWindow::saveTrace(const QString &path) const
{
    return TraceFile::save(
            path, m_fileHeader.isEmpty() ? TraceFile::header(m_label, m_pid) : m_fileHeader,
            m_events);
}

Result MainWindow::exportChromeTrace(const QString &path) const
{
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)
        || out.write(chromeTrace(m_events, m_pid, m_label).toJson(QJsonDocument::Compact)) < 0
        || !out.commit()) {
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, out.errorString()));
    }
    return Result::success();
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
        statusBar()->showMessage(u"Saved %1 events to %2"_s.arg(m_events.size()).arg(path), 5000);
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
