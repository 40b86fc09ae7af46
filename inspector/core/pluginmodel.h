// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QAbstractTableModel>
#include <QCborMap>
#include <QList>
#include <QStringList>

namespace Mortar::Inspector {

/*!
    \brief An app's plugins as a table: name, version, state, what enabled it, file and error.

    A live app's snapshot lists every plugin it found (setSnapshot()), those it left disabled
    included; the plugin.loaded / plugin.failed / plugin.unloaded events (appendEvents()) then
    change their state as they happen. A trace file has only the events, so it shows the plugins
    that loaded, failed or unloaded.
*/
class PluginModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Version, State, EnabledBy, File, Error, ColumnCount };
    Q_ENUM(Column)

    explicit PluginModel(QObject *parent = nullptr);

    void setSnapshot(const QCborMap &snapshot);
    void appendEvents(const QList<TraceEvent> &events);
    void clear();

    /*! The row of the plugin named \a name, or -1. */
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Plugin
    {
        QString name;
        QString version;
        QString description;
        QStringList depends;
        QString state; // PluginInfo::State's key: Discovered, Loaded, Failed, Disabled, Unloaded
        QString enabledBy;
        QString fileName;
        QString error;
    };

    Plugin &plugin(const QString &name); // adds it if new
    void changed(const Plugin &plugin);

    QList<Plugin> m_plugins;
};

} // namespace Mortar::Inspector
