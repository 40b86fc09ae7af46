// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "runningapps.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTimer;

namespace Mortar::Inspector {

class RunningAppsModel;

/*!
    \brief What `mortar-inspector` without arguments shows: the running Mortar apps of this
    user, to pick one and attach to it. The list follows apps starting and ending (it is read
    again every second), and says plainly when there is none and how to start one.
*/
class RunningAppsPage final : public QWidget
{
    Q_OBJECT

public:
    explicit RunningAppsPage(QWidget *parent = nullptr);

    RunningAppsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    /*! The sentence above the list: how many apps, where from, what was skipped. */
    QString message() const;

Q_SIGNALS:
    /*! The user picked \a app (double click, Enter, or Attach). */
    void attachRequested(const Mortar::Inspector::RunningApp &app);

private:
    void updateMessage();
    void attachSelected();

    RunningAppsModel *m_model;
    QLabel *m_message;
    QTableView *m_view;
    QPushButton *m_attach;
    QTimer *m_refresh;
};

} // namespace Mortar::Inspector
