// ECharts, tree-shaken: only the core, the three chart types and the components the
// statistics dashboard uses. Imported only by the (lazily loaded) stats route, so none of it
// reaches the search page's bundle.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export { echarts }
export type ChartKind = 'bar' | 'hbar' | 'line' | 'pie'
