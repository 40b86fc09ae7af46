// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "runningapps.h"

#include <QAbstractTableModel>

namespace Mortar::Inspector {

/*!
    \brief The running Mortar apps of a runtime directory as a table: app, pid, listening since,
    socket. refresh() reads the directory again; the model resets only when the list changed,
    so a view polling it keeps its selection.
*/
class RunningAppsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Label, Pid, Since, Socket, ColumnCount };
    Q_ENUM(Column)

    explicit RunningAppsModel(QObject *parent = nullptr);

    /*! Lists \a directory from now on (default: RunningApps::defaultDirectory()). */
    void setDirectory(const QString &directory);
    QString directory() const { return m_apps.directory(); }
    void refresh();

    const RunningApps &runningApps() const { return m_apps; }
    const RunningApp &app(int row) const { return m_apps.apps().at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /*! After every refresh(), changed or not: the count of stale sockets may have changed. */
    void refreshed();

private:
    QString m_directory;
    RunningApps m_apps;
};

} // namespace Mortar::Inspector
