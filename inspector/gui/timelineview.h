// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/tracespans.h>

#include <QList>
#include <QWidget>

namespace Mortar::Inspector {

/*!
    \brief The cleanup timeline: one lane per hook (and thread), each handler a span coloured by
    its status; a handler that never finished is hatched up to where the trace stops.

    Wheel zooms around the pointer, dragging pans, a double click fits everything; hovering a
    span tells its handler, status, duration and error.
*/
class TimelineView final : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineView(QWidget *parent = nullptr);

    void setEvents(const QList<TraceEvent> &events);
    const QList<TraceSpan> &spans() const { return m_spans; }
    QStringList laneNames() const;
    /*! Shows everything. */
    void fit();

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Lane
    {
        QString name;
        QList<int> spans; // indices into m_spans
    };
    double xOf(qint64 ns) const;
    int spanAt(const QPoint &position) const;

    QList<TraceSpan> m_spans;
    QList<Lane> m_lanes;
    qint64 m_firstNs = 0;
    qint64 m_lastNs = 1;
    double m_nsPerPixel = 1;
    double m_offsetNs = 0;
    bool m_fitted = true; // follows the widget's width until the user zooms or pans
    QPoint m_dragStart;
    double m_dragOffsetNs = 0;
};

} // namespace Mortar::Inspector
