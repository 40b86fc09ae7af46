// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "runningappsmodel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

RunningAppsModel::RunningAppsModel(QObject *parent)
    : QAbstractTableModel(parent),
      m_directory(RunningApps::defaultDirectory())
{
    refresh();
}

void RunningAppsModel::setDirectory(const QString &directory)
{
    m_directory = directory;
    refresh();
}

void RunningAppsModel::refresh()
{
    RunningApps found = RunningApps::find(m_directory);
    if (found.apps() == m_apps.apps()) {
        m_apps = std::move(found); // the stale ones may differ
    } else {
        beginResetModel();
        m_apps = std::move(found);
        endResetModel();
    }
    Q_EMIT refreshed();
}

int RunningAppsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_apps.apps().size());
}

int RunningAppsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunningAppsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunningApp &app = m_apps.apps().at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Label: return app.label;
        case Pid: return app.pid;
        case Since:
            return QLocale().toString(app.listeningSince.toLocalTime(), QLocale::ShortFormat);
        case Socket: return app.socketPath;
        }
    } else if (role == Qt::ToolTipRole) {
        return app.hasTokenFile
                ? u"%1 (pid %2) listens on %3"_s.arg(app.label).arg(app.pid).arg(app.socketPath)
                : u"%1 (pid %2) was started by another inspector (--launch): only that one "
                  u"can attach"_s.arg(app.label)
                          .arg(app.pid);
    } else if (role == Qt::TextAlignmentRole && index.column() == Pid) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant RunningAppsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Label: return u"app"_s;
    case Pid: return u"pid"_s;
    case Since: return u"listening since"_s;
    case Socket: return u"socket"_s;
    }
    return {};
}

} // namespace Mortar::Inspector
