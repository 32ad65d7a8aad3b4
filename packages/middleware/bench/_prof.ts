import { encodeTraceRequestProtobuf } from '../src/export/otlp/encode-protobuf.js';
const hex=(n:number,s:number)=>{let o='';let x=s>>>0||1;for(let i=0;i<n;i++){x=(Math.imul(x,1664525)+1013904223)>>>0;o+='0123456789abcdef'[x>>>28];}return o;};
const spans = Array.from({length:512},(_,i)=>({traceId:hex(32,i*3+1),spanId:hex(16,i*3+2),flags:1,name:'GET /hello',kind:2 as const,startTime:1767225600.123456+i*0.0001,endTime:1767225600.123456+i*0.0001+0.000123,
 attributes:[{key:'http.request.method',value:'GET'},{key:'url.scheme',value:'http'},{key:'server.address',value:'127.0.0.1'},{key:'url.path',value:'/hello'},{key:'server.port',value:43211},{key:'client.address',value:'127.0.0.1'.slice(0)},{key:'network.peer.address',value:'127.0.0.1'},{key:'http.response.status_code',value:200},{key:'http.route',value:'/hello'},{key:'route',value:'/hello'},{key:'aws.xray.annotations',value:['route']}]}));
const model=[{resource:[{key:'service.name',value:'bench'}],scope:{name:'x',version:'1'},spans}];
const N = Number(process.argv[2] ?? 2000);
for (let i=0;i<200;i++) encodeTraceRequestProtobuf(model);
const t0=process.cpuUsage();
for (let i=0;i<N;i++) encodeTraceRequestProtobuf(model);
const t=process.cpuUsage(t0);
console.log('ns/span', ((t.user+t.system)*1000/(N*512)).toFixed(0), 'B/span', encodeTraceRequestProtobuf(model).length/512);
