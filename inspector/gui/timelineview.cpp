// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "timelineview.h"

#include "statuscolors.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
constexpr int LabelWidth = 150;
constexpr int LaneHeight = 28;
constexpr int AxisHeight = 22;

QString laneOf(const TraceSpan &span)
{
    return span.thread <= 1 ? span.hook : u"%1 (thread %2)"_s.arg(span.hook).arg(span.thread);
}

QString statusOf(const TraceSpan &span)
{
    return span.finished ? span.status : u"did not finish"_s;
}

bool isProblem(const QString &status)
{
    return status != QLatin1String("ok") && status != QLatin1String("skipped");
}

/*! The smallest of 1, 2, 5 × 10^k at least \a minimum. */
double niceStep(double minimum)
{
    const double power = std::pow(10.0, std::floor(std::log10(minimum)));
    for (const double multiple : {1.0, 2.0, 5.0}) {
        if (multiple * power >= minimum)
            return multiple * power;
    }
    return 10 * power;
}
} // namespace

TimelineView::TimelineView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumHeight(AxisHeight + 2 * LaneHeight);
}

void TimelineView::setEvents(const QList<TraceEvent> &events)
{
    m_spans = traceSpans(events);
    m_lanes.clear();
    for (int i = 0; i < m_spans.size(); ++i) {
        const QString name = laneOf(m_spans[i]);
        auto lane = std::find_if(m_lanes.begin(), m_lanes.end(),
                                 [&](const Lane &l) { return l.name == name; });
        if (lane == m_lanes.end()) {
            m_lanes.append({name, {}});
            lane = std::prev(m_lanes.end());
        }
        lane->spans.append(i);
    }
    m_firstNs = m_spans.isEmpty() ? 0 : m_spans.first().startNs;
    m_lastNs = m_firstNs + 1;
    for (const TraceSpan &span : std::as_const(m_spans)) {
        m_firstNs = std::min(m_firstNs, span.startNs);
        m_lastNs = std::max(m_lastNs, span.endNs);
    }
    setMinimumHeight(AxisHeight + int(std::max<qsizetype>(m_lanes.size(), 2)) * LaneHeight);
    fit();
}

QStringList TimelineView::laneNames() const
{
    QStringList names;
    for (const Lane &lane : m_lanes)
        names << lane.name;
    return names;
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fitted)
        fit();
}

void TimelineView::fit()
{
    m_fitted = true;
    const int width = std::max(this->width() - LabelWidth - 10, 100);
    m_nsPerPixel = std::max(double(m_lastNs - m_firstNs) / width, 1e-3);
    m_offsetNs = double(m_firstNs);
    update();
}

QSize TimelineView::sizeHint() const
{
    return {800, AxisHeight + int(std::max<qsizetype>(m_lanes.size(), 2)) * LaneHeight + 4};
}

double TimelineView::xOf(qint64 ns) const
{
    return LabelWidth + (double(ns) - m_offsetNs) / m_nsPerPixel;
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_spans.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, u"No handler ran in this trace."_s);
        return;
    }

    // Legend, top right; the axis labels stop short of it.
    const QList<std::pair<QString, QString>> legend = {{u"ok"_s, u"ok"_s},
                                                       {u"failed"_s, u"failed"_s},
                                                       {u"timedOut"_s, u"timed out"_s},
                                                       {u"did not finish"_s, u"did not finish"_s}};
    int legendLeft = width() - 8;
    for (auto it = legend.rbegin(); it != legend.rend(); ++it) {
        legendLeft -= painter.fontMetrics().horizontalAdvance(it->second);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QPoint(legendLeft, 14), it->second);
        legendLeft -= 14;
        const QColor color = statusColor(it->first);
        painter.setPen(color.darker(140));
        painter.setBrush(it->first == u"did not finish"_s ? QBrush(color, Qt::BDiagPattern)
                                                          : QBrush(color));
        painter.drawRect(QRect(legendLeft, 5, 10, 10));
        legendLeft -= 12;
    }

    // Time axis, in milliseconds since the first handler.
    painter.setPen(palette().color(QPalette::Mid));
    const double step = niceStep(80 * m_nsPerPixel / 1e6); // a tick every 80 px or more
    const double firstMs = (m_offsetNs - double(m_firstNs)) / 1e6;
    for (double ms = std::ceil(firstMs / step) * step;; ms += step) {
        const double x = xOf(qint64(double(m_firstNs) + ms * 1e6));
        if (x > width())
            break;
        painter.drawLine(QPointF(x, AxisHeight - 4), QPointF(x, height()));
        if (x + 50 < legendLeft)
            painter.drawText(QPointF(x + 3, AxisHeight - 8), u"%1 ms"_s.arg(ms, 0, 'g', 4));
    }

    for (int l = 0; l < m_lanes.size(); ++l) {
        const int top = AxisHeight + l * LaneHeight;
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(4, top, LabelWidth - 8, LaneHeight),
                         Qt::AlignVCenter | Qt::AlignLeft, m_lanes[l].name);
        painter.save();
        painter.setClipRect(LabelWidth, top, width() - LabelWidth, LaneHeight);
        // Problems last and never thinner than a few pixels: a failure must stay visible
        // beside a long neighbour, at any zoom.
        for (const bool problems : {false, true}) {
            for (const int index : m_lanes[l].spans) {
                const TraceSpan &span = m_spans[index];
                const QString status = statusOf(span);
                if (isProblem(status) != problems)
                    continue;
                const double x1 = xOf(span.startNs);
                const double x2 = std::max(xOf(span.endNs), x1 + (problems ? 6 : 2));
                const QRectF box(x1, top + 4, x2 - x1, LaneHeight - 8);
                const QColor color = statusColor(status);
                painter.setPen(problems ? QPen(color.darker(170), 2) : QPen(color.darker(140)));
                painter.setBrush(span.finished ? QBrush(color) : QBrush(color, Qt::BDiagPattern));
                painter.drawRect(box);
                if (span.deferred && span.returnNs < span.endNs) { // the asynchronous part
                    const double xr = xOf(span.returnNs);
                    painter.fillRect(QRectF(xr, box.top() + 1, x2 - xr, box.height() - 1),
                                     QBrush(Qt::white, Qt::Dense5Pattern));
                }
                if (box.width() > 40) {
                    painter.setPen(Qt::black);
                    painter.drawText(box.adjusted(3, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                                     painter.fontMetrics().elidedText(span.handler, Qt::ElideRight,
                                                                      int(box.width()) - 5));
                }
            }
        }
        painter.restore();
    }
}

int TimelineView::spanAt(const QPoint &position) const
{
    const int lane = (position.y() - AxisHeight) / LaneHeight;
    if (position.y() < AxisHeight || lane < 0 || lane >= m_lanes.size())
        return -1;
    for (const int index : m_lanes[lane].spans) {
        const TraceSpan &span = m_spans[index];
        if (position.x() >= xOf(span.startNs) - 1
            && position.x() <= std::max(xOf(span.endNs), xOf(span.startNs) + 2) + 1)
            return index;
    }
    return -1;
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const int index = spanAt(help->pos());
        if (index < 0) {
            QToolTip::hideText();
            return true;
        }
        const TraceSpan &span = m_spans[index];
        QString text = u"<b>%1</b> (%2)<br>%3, %4 ms"_s
                               .arg(span.handler.toHtmlEscaped(), span.hook, statusOf(span))
                               .arg(double(span.durationNs()) / 1e6, 0, 'f', 3);
        if (span.weight)
            text += u"<br>weight %1"_s.arg(*span.weight);
        if (!span.owner.isEmpty())
            text += u", owner %1"_s.arg(span.owner.toHtmlEscaped());
        if (!span.source.isEmpty())
            text += u"<br>%1"_s.arg(span.source.toHtmlEscaped());
        if (!span.error.isEmpty())
            text += u"<br><font color=\"#e53935\">%1</font>"_s.arg(span.error.toHtmlEscaped());
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    // Zoom around the pointer: the instant under it stays put.
    const double x = event->position().x() - LabelWidth;
    const double anchorNs = m_offsetNs + x * m_nsPerPixel;
    const double factor = event->angleDelta().y() > 0 ? 1 / 1.25 : 1.25;
    m_nsPerPixel = std::clamp(m_nsPerPixel * factor, 1e-3, 1e12);
    m_offsetNs = anchorNs - x * m_nsPerPixel;
    m_fitted = false;
    update();
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    m_dragStart = event->pos();
    m_dragOffsetNs = m_offsetNs;
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        m_offsetNs = m_dragOffsetNs - (event->pos().x() - m_dragStart.x()) * m_nsPerPixel;
        m_fitted = false;
        update();
    }
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *)
{
    fit();
}

} // namespace Mortar::Inspector
