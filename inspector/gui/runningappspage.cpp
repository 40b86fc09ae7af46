// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "runningappspage.h"

#include "runningappsmodel.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

RunningAppsPage::RunningAppsPage(QWidget *parent)
    : QWidget(parent),
      m_model(new RunningAppsModel(this)),
      m_message(new QLabel(this)),
      m_view(new QTableView(this)),
      m_attach(new QPushButton(u"&Attach"_s, this)),
      m_refresh(new QTimer(this))
{
    m_attach->setObjectName(u"attach"_s);
    m_view->setObjectName(u"runningApps"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    connect(m_view, &QTableView::activated, this, &RunningAppsPage::attachSelected);

    auto *refresh = new QPushButton(u"&Refresh"_s, this);
    connect(refresh, &QPushButton::clicked, m_model, &RunningAppsModel::refresh);
    connect(m_attach, &QPushButton::clicked, this, &RunningAppsPage::attachSelected);
    m_attach->setDefault(true);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(refresh);
    buttons->addWidget(m_attach);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    // A reset drops the selection: pick the first app again, so Enter attaches at once.
    const auto selectFirst = [this] {
        m_view->resizeColumnsToContents();
        if (m_model->rowCount() > 0 && !m_view->selectionModel()->hasSelection())
            m_view->selectRow(0);
        m_attach->setEnabled(m_model->rowCount() > 0);
    };
    connect(m_model, &RunningAppsModel::modelReset, this, selectFirst);
    connect(m_model, &RunningAppsModel::refreshed, this, &RunningAppsPage::updateMessage);
    selectFirst();
    updateMessage();

    // Apps come and go without telling anyone, and a killed one leaves its socket behind: a
    // directory watcher would miss the latter, so the list is simply read again.
    m_refresh->setInterval(1000);
    connect(m_refresh, &QTimer::timeout, m_model, &RunningAppsModel::refresh);
    m_refresh->start();
}

QString RunningAppsPage::message() const
{
    return m_message->text();
}

void RunningAppsPage::updateMessage()
{
    const RunningApps &found = m_model->runningApps();
    const QString where = QDir::toNativeSeparators(found.directory());
    QString text;
    if (found.apps().isEmpty()) {
        text = u"No running Mortar apps found in %1.\nAn app can be inspected when it is "
               u"started with MORTAR_INSPECT=1 or --inspect (or AppOptions::inspect); "
               u"mortar-inspector --launch -- ./app starts one and follows it."_s.arg(where);
    } else {
        text = (found.apps().size() == 1
                        ? u"1 running Mortar app in %1."_s.arg(where)
                        : u"%1 running Mortar apps in %2."_s.arg(found.apps().size()).arg(where))
                + u" Pick one and attach to follow it live."_s;
    }
    if (const qsizetype stale = found.staleSockets().size(); stale > 0) {
        text += stale == 1 ? u"\n1 stale socket skipped: its app has ended."_s
                           : u"\n%1 stale sockets skipped: their apps have ended."_s.arg(stale);
    }
    m_message->setText(text);
}

void RunningAppsPage::attachSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (!rows.isEmpty())
        Q_EMIT attachRequested(m_model->app(rows.first().row()));
}

} // namespace Mortar::Inspector
