// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QJsonObject>
#include <QMainWindow>
#include <QString>

class QLabel;
class QListView;
class QProcess;
class QLineEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTreeView;

namespace Mortar::Inspector {

class CompareModel;
class EventFilterModel;
class EventTableModel;
class InspectorClient;
class ProblemsModel;
class StatisticsModel;
class HookTreeModel;
class PluginModel;
class RunningAppsPage;
class TimelineView;
struct RunningApp;
class TraceFile;

/*!
    \brief The inspector's window: Hooks, Cleanup trace (timeline and event table), Plugins, Log,
    and a status bar with app, pid, state, connection, exit code and close duration.

    It shows a trace file (openTraceFile()), an app it starts (launch()) or one already running
    (attach(), picked from showRunningApps()), and keeps the whole trace to save it.
*/
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    /*! Shows the trace file \a path. */
    Result openTraceFile(const QString &path);
    /*! The same, read in a worker thread with a progress bar in the status bar; the window
        stays responsive. traceOpened() says when it is shown, or why not (also in a message
        box, unless the window's property "unattended" is true: scripts and tests). */
    void openTraceFileInBackground(const QString &path);
    bool isLoading() const { return m_loading; }
    /*! Starts \a program with inspection on and follows it live, from its first event. */
    void launch(const QString &program, const QStringList &arguments);
    /*! Lists the running Mortar apps of this user; picking one attaches to it. */
    void showRunningApps();
    /*! Follows the running \a app live, authenticating with the token beside its socket. Fails
        at once if there is no token to read; a refused connection shows in the status bar. */
    Result attach(const RunningApp &app);

    /*! Writes the trace kept so far as a trace file that openTraceFile() reads back. */
    Result saveTrace(const QString &path) const;
    /*! Writes the trace kept so far as a Chrome trace (Perfetto, chrome://tracing). */
    Result exportChromeTrace(const QString &path) const;

    /*! The app followed live has ended and its last events arrived. */
    bool isFinished() const { return m_finished; }
    const QList<TraceEvent> &events() const;

    RunningAppsPage *runningAppsPage() const { return m_runningApps; }
    QTabWidget *tabs() const { return m_tabs; }
    TimelineView *timeline() const { return m_timeline; }
    HookTreeModel *hookModel() const { return m_hookModel; }
    EventTableModel *eventModel() const { return m_eventModel; }
    PluginModel *pluginModel() const { return m_pluginModel; }
    EventFilterModel *eventFilter() const { return m_eventFilter; }
    ProblemsModel *problemsModel() const { return m_problemsModel; }
    QTableView *eventView() const { return m_eventView; }
    QListView *problemsView() const { return m_problemsView; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QString statusText() const;
    /*! The one-line verdict shown above the views (CloseSummary::verdict()). */
    QString verdictText() const;
    /*! What the details pane says about the selected span or event. */
    QString detailsText() const;
    /*! The event table's source row that is selected, -1 if none. */
    int selectedEventRow() const;
    /*! Selects the event at \a row of the trace: in the table, the timeline and the details. */
    void selectEvent(int row);
    /*! Selects the next problem after the current one (wrapping). */
    void nextProblem();
    /*! Compares the close shown (NEW) with the trace file \a basePath (BASE), in a Compare tab
        (File → Compare with…); as --compare does. */
    Result compareWith(const QString &basePath, double thresholdPercent = 20);
    CompareModel *compareModel() const { return m_compareModel; }
    StatisticsModel *statisticsModel() const { return m_statisticsModel; }
    QTableView *statisticsView() const { return m_statisticsView; }
    /*! Shows the Statistics tab, computing it if the trace changed since. */
    void showStatistics();
    QString compareVerdict() const;
    /*! Asks the app followed live to quit (the protocol's requestClose, SPEC 4.7). */
    void requestClose();
    /*! File → Request close: enabled while a live app is connected. */
    QAction *requestCloseAction() const { return m_requestClose; }

Q_SIGNALS:
    /*! The app followed live ended and the inspector has its trace: \a exitCode is the launched
        process's (-1 if it crashed), or for an attached app the one its trace reports (-1 if
        none). */
    void appEnded(int exitCode);
    /*! openTraceFileInBackground() finished: the trace is shown, or \a result says why not. */
    void traceOpened(const Mortar::Result &result);

private:
    void follow(const QString &socketPath, const QString &token);
    void appendLive(const QList<TraceEvent> &events);
    /*! Selects the close's first failed handler (else its beginning) in the event table. */
    void showTheClose();
    void finishLive();
    void showTraceFile(const QString &path, const TraceFile &trace);
    void showEvents(const QString &label, qint64 pid, const QList<TraceEvent> &trace);
    void showVerdict();
    void expandHooks();
    void fitNumberColumns();
    void problemActivated(const QModelIndex &index);
    int rowOfSeq(qint64 seq) const;
    void saveTraceAs();
    void exportChromeTraceAs();
    int exitCodeInTrace() const;

    QJsonObject m_fileHeader; // of the trace file shown; empty when live
    InspectorClient *m_client = nullptr;
    QProcess *m_process = nullptr;
    int m_appExitCode = -1;
    bool m_appEnded = false;
    bool m_disconnected = false;
    bool m_finished = false;
    bool m_timelinePending = false;
    QString m_source; // "live", "attached" or "from a trace file"
    QString m_disconnectReason;
    QString m_label;
    qint64 m_pid = 0;

    QStackedWidget *m_stack;
    RunningAppsPage *m_runningApps = nullptr;
    QTabWidget *m_tabs;
    HookTreeModel *m_hookModel;
    QTreeView *m_hookView;
    TimelineView *m_timeline;
    EventTableModel *m_eventModel;
    EventFilterModel *m_eventFilter;
    ProblemsModel *m_problemsModel;
    QListView *m_problemsView;
    QLabel *m_verdict;
    QLabel *m_details;
    bool m_selecting = false;
    bool m_loading = false;
    QAction *m_requestClose = nullptr;
    CompareModel *m_compareModel = nullptr;
    StatisticsModel *m_statisticsModel = nullptr;
    QSortFilterProxyModel *m_statisticsSort = nullptr;
    QTableView *m_statisticsView = nullptr;
    QWidget *m_statisticsPage = nullptr;
    bool m_statisticsStale = true;
    QWidget *m_comparePage = nullptr;
    QLabel *m_compareVerdict = nullptr;
    QLineEdit *m_filterEdit;
    QTableView *m_eventView;
    QSortFilterProxyModel *m_logFilter;
    QTableView *m_logView;
    PluginModel *m_pluginModel;
    QTableView *m_pluginView;
    QLabel *m_status;
};

} // namespace Mortar::Inspector
